package translator

import (
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkCompact300 compares, in one run, the compact encoding's
// hand-written decoder and encoder with encoding/json's (their
// reference) on a 300-step local-activity chain:
//
//	go test -run '^$' -bench Compact300 -benchmem ./translator/
func BenchmarkCompact300(b *testing.B) {
	p := &Plan{FormatVersion: FormatVersion, WorkflowID: "bench-chain", Name: "bench-chain", Timeout: Number{Value: 864000},
		StepConcurrency: 20, RunStrategy: "SEQUENTIAL"}
	for i := range 300 {
		n := &Node{ID: fmt.Sprintf("s%d", i+1), Kind: "step", Type: "BenchLocal", Mode: ModeLocalActivity,
			FailureMode: "FAIL_AFTER_RUNNING", Timeout: Number{Value: 864000}}
		if i > 0 {
			n.Predecessors = []string{fmt.Sprintf("s%d", i)}
		}
		if i < 299 {
			n.Successors = []Edge{{To: fmt.Sprintf("s%d", i+2), Condition: "true"}}
		}
		p.Steps = append(p.Steps, n)
	}
	raw, err := EncodeCompact(p)
	if err != nil {
		b.Fatal(err)
	}
	d := chooseDefaults(p.Steps)
	for _, c := range []struct {
		name string
		run  func() error
	}{
		{"encode", func() error { _, err := EncodeCompact(p); return err }},
		{"encode-reflect", func() error { _, err := marshalCompactReflect(p, chooseDefaults(p.Steps)); return err }},
		{"encode-writer-only", func() error { _, err := appendCompactPlan(nil, p, &d); return err }},
		{"decode", func() error { _, err := DecodeCompact(raw); return err }},
		{"decode-reflect", func() error { var c compactPlan; return json.Unmarshal(raw, &c) }},
		{"decode-scan-only", func() error {
			var p Plan
			if !scanPlan(raw, &p, true) {
				return fmt.Errorf("scan failed")
			}
			return nil
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
