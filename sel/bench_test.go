package sel

import "testing"

const benchJoda = "new DateTime(1577836800000L, DateTimeZone.forID('US/Pacific')).plusDays(3).toString('yyyyMMdd')"

func BenchmarkParse(b *testing.B) {
	src := workflowDefaults[3].src // DERIVED_RUN_TS, a typical multi-statement param
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEval(b *testing.B, src string, env *Env) {
	p, err := Compile(src)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Eval(env); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalCondition(b *testing.B) {
	benchEval(b, "x > 10", &Env{Params: MapParams{"x": int64(15)}})
}

func BenchmarkEvalDateIntsBetween(b *testing.B) {
	benchEval(b, "Util.dateIntsBetween(20200101, 20200110, 1)", &Env{})
}

func BenchmarkEvalJodaChain(b *testing.B) {
	benchEval(b, benchJoda, &Env{})
}

func BenchmarkEvalWorkflowDefault(b *testing.B) {
	benchEval(b, workflowDefaults[3].src, &Env{Params: MapParams{"WORKFLOW_CRON_TIMEZONE": "America/Los_Angeles",
		"TARGET_RUN_DATE": "20200308", "TARGET_RUN_HOUR": "03"}})
}
