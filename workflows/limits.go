package workflows

import (
	"fmt"

	"github.com/batonhq/baton/sel"
)

// maxParamsJSON is Maestro's limit on the JSON of one workflow's or one
// step's evaluated params, in characters.
const maxParamsJSON = 750000

// checkParamsSize refuses params whose JSON would pass maxParamsJSON. The
// size is estimated without encoding (it runs for every step): quotes,
// separators and the text of each value, which is close to the JSON for the
// ASCII strings and numbers params hold.
func checkParamsSize(what string, params map[string]sel.Value) error {
	size := 2
	for k, v := range params {
		size += len(k) + 4 + valueSize(v.Value)
		if size > maxParamsJSON {
			return fmt.Errorf("%s params are larger than Maestro's limit of %d characters of JSON", what, maxParamsJSON)
		}
	}
	return nil
}

func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) + 2
	case int64, float64:
		return 20
	case bool:
		return 5
	case []string:
		n := 2
		for _, e := range x {
			n += len(e) + 3
		}
		return n
	case []int64:
		return 2 + 21*len(x)
	case []float64:
		return 2 + 25*len(x)
	case []bool:
		return 2 + 6*len(x)
	case map[string]string:
		n := 2
		for k, e := range x {
			n += len(k) + len(e) + 6
		}
		return n
	case map[string]any:
		n := 2
		for k, e := range x {
			n += len(k) + 4 + valueSize(e)
		}
		return n
	}
	return 0
}
