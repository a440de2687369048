package translator_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/batonhq/baton/definition"
	"github.com/batonhq/baton/translator"
)

// Benchmarks of Compile (plan building, topological order, policies and the
// content hash) on generated definitions and a Maestro sample:
//
//	go test -run '^$' -bench Compile -benchmem ./translator/

func benchChainRequest(b *testing.B, n int, sel bool) *definition.Request {
	b.Helper()
	steps := make([]any, n)
	for i := range steps {
		s := map[string]any{"id": fmt.Sprintf("s%d", i+1), "type": "NoOp"}
		cond := "true"
		if sel {
			s["params"] = map[string]any{
				"a": map[string]any{"expression": "base * 2 + 1", "type": "LONG"},
				"b": map[string]any{"expression": "env + '-x'", "type": "STRING"},
			}
			cond = "a > base && env == 'prod'"
		}
		if i+1 < n {
			s["transition"] = map[string]any{"successors": map[string]string{fmt.Sprintf("s%d", i+2): cond}}
		}
		steps[i] = map[string]any{"step": s}
	}
	wf := map[string]any{"id": "bench", "steps": steps}
	if sel {
		wf["params"] = map[string]any{
			"base": map[string]any{"value": 20, "type": "LONG"},
			"env":  map[string]any{"value": "prod", "type": "STRING"},
		}
	}
	data, err := json.Marshal(map[string]any{"workflow": wf})
	if err != nil {
		b.Fatal(err)
	}
	return benchDecode(b, data)
}

func benchDecode(b *testing.B, data []byte) *definition.Request {
	b.Helper()
	req, err := definition.Decode(data)
	if err != nil {
		b.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		b.Fatal(err)
	}
	return req
}

func BenchmarkCompile(b *testing.B) {
	sample, err := os.ReadFile(filepath.Join("..", "..", "shared", "maestro-samples", "server__sample-conditional-wf.json"))
	if err != nil {
		b.Skip(err)
	}
	cases := []struct {
		name string
		req  *definition.Request
	}{
		{"sample-conditional", benchDecode(b, sample)},
		{"chain-300", benchChainRequest(b, 300, false)},
		{"chain-300-sel", benchChainRequest(b, 300, true)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := translator.Compile(c.req, translator.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
