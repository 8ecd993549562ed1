package amapi

import (
	"bytes"
	"context"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/findings"
)

// probityOperations are Probity's own operations, beyond Audit Manager's model. They are
// served as the model's are: SigV4 over the body, access levels, rate limits, the access
// log and metrics.
var probityOperations = []Operation{
	{Name: "ImportFindings", Method: "POST", URI: "/probity/findings", Status: 200},
}

// FindingsMaxBodyBytes bounds the body of ImportFindings, a whole findings file, above the
// API's usual limit.
const FindingsMaxBodyBytes = 64 << 20

// bodyLimits are the operations whose bodies may exceed Config.MaxBodyBytes, and by how much.
var bodyLimits = map[string]int64{"ImportFindings": FindingsMaxBodyBytes}

// importFindings imports a findings file (OCSF 1.x, ASFF or Prowler CSV, told apart by
// its content) as compliance-check evidence of the caller's account's ACTIVE assessments,
// as `probity findings import` does, and answers the import's summary. A bad file is a
// ValidationException naming the record and field of every problem; nothing is imported.
func importFindings(ctx context.Context, h *Handler, c *call) (any, error) {
	if h.ledger == nil {
		return nil, probity.Errorf(probity.EINVALID, "This Probity server has no evidence ledger, so it cannot import findings.")
	}
	_, fs, err := findings.Decode(bytes.NewReader(c.body))
	if err != nil {
		return nil, err
	}
	im := &findings.Importer{Store: h.lib.Store, Ledger: h.ledger, Author: c.caller.Name}
	return im.Import(ctx, c.caller.AccountID, fs)
}
