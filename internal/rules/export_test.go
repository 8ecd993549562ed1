package rules

import "github.com/probity-dev/probity"

// CompileWithCostLimit compiles def with the given runtime cost limit (0: none),
// bypassing Compile's cache, so that benchmarks can compare the two.
func CompileWithCostLimit(def *probity.CustomRule, limit uint64) (*Rule, error) {
	return compile(def, limit)
}
