package signals

import (
	"encoding/json"
	"testing"
	"time"
)

// storeOf holds n small instances, as after n sends of day(i).
func storeOf(n int) *store {
	s := &store{State: State{Name: "db/prod/table1", Options: Options{}.withDefaults()}}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		s.Instances = append(s.Instances, &Instance{Name: s.Name, Seq: int64(i), Params: day(int64(i)), CreateTime: now})
	}
	s.LastSeq = int64(n)
	return s
}

// BenchmarkMatchNoHit scans 10,000 kept instances without a hit, the
// worst case of a match query; it reports the state's encoded size.
func BenchmarkMatchNoHit(b *testing.B) {
	s := storeOf(10000)
	enc, err := json.Marshal(s.State)
	if err != nil {
		b.Fatal(err)
	}
	req := MatchRequest{Match: []MatchParam{{Name: "vtts_utc_dateint", Operator: Less, Value: Long(0)}, {Name: "table", Operator: Equal, Value: String("t1")}}}
	b.ResetTimer()
	for b.Loop() {
		if in, _ := s.match(req); in != nil {
			b.Fatal("unexpected match")
		}
	}
	b.ReportMetric(float64(len(enc)), "state-bytes")
}
