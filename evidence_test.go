package probity

import (
	"testing"
	"time"
)

func TestEvidenceIDCarriesItsSequence(t *testing.T) {
	for _, seq := range []int64{1, 2, 255, 256, 1 << 40, 1 << 62} {
		id := EvidenceID("111122223333", "a", seq)
		got, ok := EvidenceSequence(id)
		if !ok || got != seq {
			t.Errorf("EvidenceSequence(%s) = %d, %v; want %d", id, got, ok, seq)
		}
		if EvidenceID("111122223333", "b", seq) == id || EvidenceID("999999999999", "a", seq) == id {
			t.Errorf("ids of sequence %d collide across assessments or accounts", seq)
		}
	}
	for _, id := range []string{"", "x", NewID()[:35], "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", "00000000-0000-0000-0000-000000000000"} {
		if _, ok := EvidenceSequence(id); ok {
			t.Errorf("EvidenceSequence(%q) accepted", id)
		}
	}
}

func TestEvidenceFolderIDIsPerUTCDay(t *testing.T) {
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	id := EvidenceFolderID("a", "cs", "c", day, "Config")
	for _, t2 := range []time.Time{day.Add(23 * time.Hour), time.Date(2026, 11, 29, 20, 0, 0, 0, time.FixedZone("W", -3*3600))} {
		if got := EvidenceFolderID("a", "cs", "c", t2, "Config"); got != id {
			t.Errorf("folder of %v = %s, want %s", t2, got, id)
		}
	}
	if EvidenceFolderID("a", "cs", "c", day.Add(24*time.Hour), "Config") == id || EvidenceFolderID("a", "cs", "c", day, "CloudTrail") == id {
		t.Error("another day or data source shares the folder")
	}
}
