package registry

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Version describes one pushed version of a workflow definition.
type Version struct {
	WorkflowID  string    `json:"workflow_id"`
	Version     int       `json:"version"` // 1, 2, 3... in push order
	CreateTime  time.Time `json:"create_time"`
	Active      bool      `json:"active"`
	PlanHash    string    `json:"plan_hash"` // as compiled by the pushing client
	Name        string    `json:"name,omitempty"`
	Description string    `json:"description,omitempty"`
	// Pruned is true when the definition of this version was dropped to
	// keep the entity's state under MaxStoredBytes (only versions that are
	// neither active nor latest are pruned, oldest first).
	Pruned bool `json:"pruned,omitempty"`
	// SchedulesSynced is set in the answer to a push or an activation
	// when the entity has made the workflow id's run strategy and
	// schedules those of the active version (see ScheduleSync).
	SchedulesSynced bool `json:"schedules_synced,omitempty"`
}

// The version selectors (case-insensitive), besides a version number.
const (
	SelectorActive  = "active"  // the active version
	SelectorLatest  = "latest"  // the newest version
	SelectorDefault = "default" // the active version, or the latest if none is active (Maestro)
)

// MaxDefinitionBytes caps one pushed definition (its JSON encoding), as
// Maestro caps a create request at 256 KB.
const MaxDefinitionBytes = 256 << 10

// MaxStoredBytes caps the entity's state (compressed definitions plus an
// estimate of the versions' metadata), so that it always fits in a
// continue-as-new payload (Temporal's limit is 2 MiB). Past it, old
// definitions are pruned; MaxMetadataBytes caps the metadata alone, and a
// push beyond it is refused.
const (
	MaxStoredBytes   = 1536 << 10
	MaxMetadataBytes = 1 << 20
	maxTextBytes     = 256 // name and description kept per version (Maestro's name limit)
	metaOverhead     = 160 // JSON keys, number, time and flags of one version
)

// State is the entity's compact state, carried through continue-as-new.
type State struct {
	WorkflowID string   `json:"workflow_id"`
	Active     int      `json:"active,omitempty"` // 0: no active version
	Versions   []stored `json:"versions,omitempty"`
	// Sync is set by the first push that asks the entity to keep the run
	// strategy and schedules (the latest such push's settings). SyncWanted
	// counts changes of the active version since; Synced is the last one
	// a sync has covered; SyncError is the failure of the sync that
	// covered SyncFailed.
	Sync       *ScheduleSync `json:"sync,omitempty"`
	SyncWanted int           `json:"sync_wanted,omitempty"`
	Synced     int           `json:"synced,omitempty"`
	SyncError  string        `json:"sync_error,omitempty"`
	SyncFailed int           `json:"sync_failed,omitempty"`
}

// stored is one version with its definition, gzip-compressed (nil once
// pruned).
type stored struct {
	Version
	Definition []byte `json:"definition,omitempty"`
}

// selector is a parsed version selector: a keyword or a number.
type selector struct {
	keyword string // active, latest or default; "" for a number
	number  int
}

func (s selector) String() string {
	if s.keyword != "" {
		return s.keyword
	}
	return strconv.Itoa(s.number)
}

// parseSelector reads active, latest, default (any case) or a positive
// version number; "" means active (Maestro's default subworkflow_version).
func parseSelector(text string) (selector, error) {
	t := strings.ToLower(strings.TrimSpace(text))
	switch t {
	case "":
		return selector{keyword: SelectorActive}, nil
	case SelectorActive, SelectorLatest, SelectorDefault:
		return selector{keyword: t}, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n <= 0 {
		return selector{}, fmt.Errorf("invalid version selector %q (want active, latest, default or a version number)", text)
	}
	return selector{number: n}, nil
}

// resolve finds the version a selector names; the error says why none does.
func (s *State) resolve(sel selector) (*stored, error) {
	n := sel.number
	switch sel.keyword {
	case SelectorActive:
		if s.Active == 0 {
			return nil, fmt.Errorf("workflow %q has no active version", s.WorkflowID)
		}
		n = s.Active
	case SelectorDefault:
		n = s.Active
		if n == 0 {
			n = len(s.Versions)
		}
	case SelectorLatest:
		n = len(s.Versions)
	}
	if n <= 0 || n > len(s.Versions) {
		if len(s.Versions) == 0 {
			return nil, fmt.Errorf("workflow %q has no versions", s.WorkflowID)
		}
		return nil, fmt.Errorf("workflow %q has no version %d (versions 1 to %d)", s.WorkflowID, n, len(s.Versions))
	}
	v := &s.Versions[n-1]
	if v.Definition == nil {
		return nil, fmt.Errorf("workflow %q version %d was pruned: its definition is no longer kept", s.WorkflowID, n)
	}
	return v, nil
}

// push appends a version; now is the workflow clock.
func (s *State) push(in PushInput, now time.Time) (Version, error) {
	def, err := compress(in.Definition)
	if err != nil {
		return Version{}, err
	}
	v := stored{Version: Version{
		WorkflowID:  s.WorkflowID,
		Version:     len(s.Versions) + 1,
		CreateTime:  now.UTC(),
		PlanHash:    in.PlanHash,
		Name:        truncate(in.Name),
		Description: truncate(in.Description),
	}, Definition: def}
	s.Versions = append(s.Versions, v)
	if in.Activate {
		s.activate(v.Version.Version)
	}
	s.prune()
	return s.version(v.Version.Version), nil
}

func (s *State) activate(n int) {
	s.Active = n
}

// version returns version n's metadata with its active flag.
func (s *State) version(n int) Version {
	v := s.Versions[n-1].Version
	v.Active = n == s.Active
	v.Pruned = s.Versions[n-1].Definition == nil
	return v
}

// list returns every version's metadata, oldest first.
func (s *State) list() []Version {
	out := make([]Version, len(s.Versions))
	for i := range s.Versions {
		out[i] = s.version(i + 1)
	}
	return out
}

// metaSize estimates one version's metadata in the state's JSON.
func metaSize(v *Version) int {
	return metaOverhead + len(v.WorkflowID) + len(v.PlanHash) + len(v.Name) + len(v.Description)
}

// metadataBytes estimates the metadata of every version, plus a new one
// with the given push input.
func (s *State) metadataBytes(next *PushInput) int {
	total := 0
	for i := range s.Versions {
		total += metaSize(&s.Versions[i].Version)
	}
	if next != nil {
		total += metaSize(&Version{WorkflowID: s.WorkflowID, PlanHash: next.PlanHash, Name: truncate(next.Name), Description: truncate(next.Description)})
	}
	return total
}

func truncate(text string) string {
	if len(text) <= maxTextBytes {
		return text
	}
	cut := maxTextBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// prune drops the definitions of the oldest versions that are neither
// active nor latest until the state's estimate is at most MaxStoredBytes.
func (s *State) prune() {
	total := s.metadataBytes(nil)
	for _, v := range s.Versions {
		total += len(v.Definition)
	}
	for i := 0; i < len(s.Versions)-1 && total > MaxStoredBytes; i++ {
		if i+1 == s.Active || s.Versions[i].Definition == nil {
			continue
		}
		total -= len(s.Versions[i].Definition)
		s.Versions[i].Definition = nil
	}
}

// compress gzips b; the output is a pure function of b (no timestamp).
func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decompress(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(zr, MaxDefinitionBytes+1))
}
