package jsonfast

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// HistoryPayloads returns the data of every JSON payload (encoding
// json/plain) in the exported histories (*.json) of the given directories,
// nested payloads included: what the codecs' tests compare against
// encoding/json.
func HistoryPayloads(dirs ...string) ([][]byte, error) {
	var out [][]byte
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var doc any
			if err := json.Unmarshal(b, &doc); err != nil {
				return nil, fmt.Errorf("history %s: %w", f, err)
			}
			if out, err = collectPayloads(doc, out); err != nil {
				return nil, fmt.Errorf("history %s: %w", f, err)
			}
		}
	}
	return out, nil
}

func collectPayloads(v any, out [][]byte) ([][]byte, error) {
	var err error
	switch x := v.(type) {
	case map[string]any:
		if data, ok := jsonPayload(x); ok {
			b, err := base64.StdEncoding.DecodeString(data)
			if err != nil {
				return nil, fmt.Errorf("payload data: %w", err)
			}
			out = append(out, b)
		}
		for _, e := range x {
			if out, err = collectPayloads(e, out); err != nil {
				return nil, err
			}
		}
	case []any:
		for _, e := range x {
			if out, err = collectPayloads(e, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// jsonPayload returns a payload's base64 data if its encoding is
// json/plain.
func jsonPayload(m map[string]any) (string, bool) {
	data, ok := m["data"].(string)
	md, _ := m["metadata"].(map[string]any)
	enc, _ := md["encoding"].(string)
	if !ok || enc == "" {
		return "", false
	}
	e, err := base64.StdEncoding.DecodeString(enc)
	return data, err == nil && bytes.Equal(e, []byte("json/plain"))
}
