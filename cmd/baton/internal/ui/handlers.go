package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/batonhq/baton/translator"
	"github.com/batonhq/baton/workflows"
)

// statuses are the Maestro instance statuses the list filters by.
var statuses = []workflows.InstanceStatus{workflows.InProgress, workflows.InstanceSucceeded, workflows.InstanceFailed, workflows.InstanceStopped, workflows.InstanceTimedOut}

func (s *Server) handleRuns(w http.ResponseWriter, r *http.Request) {
	status, contains := r.FormValue("status"), r.FormValue("q")
	rows, err := s.listRuns(r.Context(), status, contains)
	data := map[string]any{"Runs": rows, "Status": status, "Q": contains, "Statuses": statuses, "TemporalUI": s.temporalUI, "Namespace": s.namespace}
	if err != nil {
		data["Error"] = err.Error()
	}
	s.render(w, "runs.html", data)
}

func (s *Server) handleAPIRuns(w http.ResponseWriter, r *http.Request) {
	rows, err := s.listRuns(r.Context(), r.FormValue("status"), r.FormValue("q"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeJSON(w, rows)
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("id")
	if id == "" {
		http.Error(w, "baton ui: missing run id (?id=)", http.StatusBadRequest)
		return
	}
	plan, runID, err := s.plan(r.Context(), id, r.FormValue("run"))
	if err != nil {
		http.Error(w, "baton ui: "+err.Error(), http.StatusNotFound)
		return
	}
	data := map[string]any{"ID": id, "RunID": runID, "Plan": plan}
	if s.temporalUI != "" {
		data["TemporalURL"] = fmt.Sprintf("%s/namespaces/%s/workflows/%s/%s/history", s.temporalUI,
			url.PathEscape(s.namespace), url.PathEscape(id), url.PathEscape(runID))
	}
	s.render(w, "run.html", data)
}

// runView is what the run page shows of a run at one moment.
type runView struct {
	ID    string           `json:"id"`
	RunID string           `json:"run_id"`
	State *workflows.State `json:"state"`
	// Kinds names the composite steps' kinds (foreach, while, subworkflow).
	Kinds map[string]string `json:"kinds"`
	// Loops holds running loop steps' progress.
	Loops map[string]*workflows.LoopProgress `json:"loops,omitempty"`
	// Children links subworkflow steps to their child run's page.
	Children map[string]string `json:"children,omitempty"`
	Ended    bool              `json:"ended"`
}

func (s *Server) view(ctx context.Context, id, runID string) (*runView, error) {
	plan, runID, err := s.plan(ctx, id, runID)
	if err != nil {
		return nil, err
	}
	st, err := s.state(ctx, id, runID)
	if err != nil {
		return nil, fmt.Errorf("query the state of %s: %w", id, err)
	}
	v := &runView{ID: id, RunID: runID, State: st, Kinds: map[string]string{}, Ended: st.EndTime != nil}
	for _, n := range plan.Steps {
		if n.Kind == "step" || n.Kind == "" {
			continue
		}
		v.Kinds[n.ID] = n.Kind
		ss := st.Step(n.ID)
		if ss == nil || ss.Status == workflows.NotCreated {
			continue
		}
		child := id + "/" + n.ID
		switch n.Kind {
		case "subworkflow":
			if v.Children == nil {
				v.Children = map[string]string{}
			}
			v.Children[n.ID] = runURL(child, "")
		case "foreach", "while":
			if ss.Status == workflows.Running {
				if p := s.loopProgress(ctx, child); p != nil {
					if v.Loops == nil {
						v.Loops = map[string]*workflows.LoopProgress{}
					}
					v.Loops[n.ID] = p
				}
			}
		}
	}
	return v, nil
}

func (s *Server) handleAPIState(w http.ResponseWriter, r *http.Request) {
	v, err := s.view(r.Context(), r.FormValue("id"), r.FormValue("run"))
	if err != nil {
		http.Error(w, "baton ui: "+err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, v)
}

// handleGraph draws a run's DAG, or with step= a loop step's inner DAG.
func (s *Server) handleGraph(w http.ResponseWriter, r *http.Request) {
	plan, _, err := s.plan(r.Context(), r.FormValue("id"), r.FormValue("run"))
	if err != nil {
		http.Error(w, "baton ui: "+err.Error(), http.StatusNotFound)
		return
	}
	name, steps := plan.WorkflowID, plan.Steps
	if id := r.FormValue("step"); id != "" {
		n := findStep(plan.Steps, id)
		if n == nil || n.Body == nil {
			http.Error(w, "baton ui: no loop step "+id, http.StatusNotFound)
			return
		}
		name, steps = id, n.Body.Steps
	}
	svg, err := s.layout.svg(r.Context(), name, steps)
	if err != nil {
		http.Error(w, "baton ui: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=3600") // plans are immutable
	_, _ = w.Write(svg)
}

func findStep(steps []*translator.Node, id string) *translator.Node {
	for _, n := range steps {
		if n.ID == id {
			return n
		}
	}
	return nil
}

// handleEvents streams the run's view as server-sent events whenever it
// changes, until the run ends or the page goes away.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "baton ui: streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	ctx := r.Context()
	var last []byte
	for {
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		v, err := s.view(qctx, r.FormValue("id"), r.FormValue("run"))
		cancel()
		switch {
		case errors.Is(ctx.Err(), context.Canceled):
			return
		case err != nil:
			fmt.Fprintf(w, "event: failure\ndata: %s\n\n", mustJSON(err.Error()))
		default:
			b := mustJSON(v)
			if !bytes.Equal(b, last) {
				fmt.Fprintf(w, "data: %s\n\n", b)
				last = b
			}
			if v.Ended {
				fmt.Fprint(w, "event: end\ndata: {}\n\n")
				fl.Flush()
				return
			}
		}
		fl.Flush()
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.poll):
		}
	}
}

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		http.Error(w, "baton ui: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(mustJSON(v))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(err.Error())
	}
	return b
}
