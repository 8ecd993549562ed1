package amapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	am "github.com/aws/aws-sdk-go-v2/service/auditmanager"
	"github.com/aws/aws-sdk-go-v2/service/auditmanager/types"
)

// TestReportSelection selects evidence for the report by item and by folder through the
// SDK, and reads the selection back from the evidence, its folder and its control; then
// who may select, and what bad input gets.
func TestReportSelection(t *testing.T) {
	withEvidence(t, func(t *testing.T, w evWorld) {
		ctx := context.Background()
		fx := newFixture(t, w.root)
		a, err := w.root.CreateAssessment(ctx, createInput(fx.frameworkID))
		if err != nil {
			t.Fatal(err)
		}
		id := a.Assessment.Metadata.Id
		delegate(t, w.root, *id, fx.set2, delegateARN)
		imp := func(set string, texts ...string) (folder string, ids []string) {
			t.Helper()
			items := make([]types.ManualEvidence, len(texts))
			for i, s := range texts {
				items[i] = types.ManualEvidence{TextResponse: aws.String(s)}
			}
			if _, err := w.owner.BatchImportEvidenceToAssessmentControl(ctx, &am.BatchImportEvidenceToAssessmentControlInput{
				AssessmentId: id, ControlSetId: aws.String(set), ControlId: fx.c2.Id, ManualEvidence: items}); err != nil {
				t.Fatal(err)
			}
			fs, err := w.owner.GetEvidenceFoldersByAssessmentControl(ctx, &am.GetEvidenceFoldersByAssessmentControlInput{
				AssessmentId: id, ControlSetId: aws.String(set), ControlId: fx.c2.Id})
			if err != nil || len(fs.EvidenceFolders) != 1 {
				t.Fatalf("folders: %v, %v", fs, err)
			}
			folder = *fs.EvidenceFolders[0].Id
			ev, err := w.owner.GetEvidenceByEvidenceFolder(ctx, &am.GetEvidenceByEvidenceFolderInput{AssessmentId: id,
				ControlSetId: aws.String(set), EvidenceFolderId: aws.String(folder)})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ev.Evidence {
				ids = append(ids, *e.Id)
			}
			return folder, ids
		}
		f1, ids1 := imp(fx.set1, "one", "two", "three")
		f2, ids2 := imp(fx.set2, "four", "five")

		// counts returns the folder's selection count, the control's, and the evidence
		// selected in the folder, in order ("YNY").
		counts := func(set, folder string) (int32, int32, string) {
			t.Helper()
			f, err := w.owner.GetEvidenceFolder(ctx, &am.GetEvidenceFolderInput{AssessmentId: id, ControlSetId: aws.String(set), EvidenceFolderId: aws.String(folder)})
			if err != nil {
				t.Fatal(err)
			}
			ev, err := w.owner.GetEvidenceByEvidenceFolder(ctx, &am.GetEvidenceByEvidenceFolderInput{AssessmentId: id,
				ControlSetId: aws.String(set), EvidenceFolderId: aws.String(folder)})
			if err != nil {
				t.Fatal(err)
			}
			sel := ""
			for _, e := range ev.Evidence {
				sel += (*e.AssessmentReportSelection)[:1]
			}
			got, err := w.owner.GetAssessment(ctx, &am.GetAssessmentInput{AssessmentId: id})
			if err != nil {
				t.Fatal(err)
			}
			var ctl int32
			for _, s := range got.Assessment.Framework.ControlSets {
				if *s.Id == set {
					for _, c := range s.Controls {
						if *c.Id == *fx.c2.Id {
							ctl = c.AssessmentReportEvidenceCount
						}
					}
				}
			}
			return f.EvidenceFolder.AssessmentReportSelectionCount, ctl, sel
		}

		out, err := w.owner.BatchAssociateAssessmentReportEvidence(ctx, &am.BatchAssociateAssessmentReportEvidenceInput{
			AssessmentId: id, EvidenceFolderId: aws.String(f1),
			EvidenceIds: []string{ids1[0], ids1[2], ids1[0], ids2[0], "0123abcd-0123-4567-89ab-0123456789ab", "nope"}})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, e := range out.Errors {
			codes = append(codes, *e.EvidenceId+"="+*e.ErrorCode)
		}
		if len(out.EvidenceIds) != 2 || len(codes) != 3 || codes[0] != ids2[0]+"=404" || codes[2] != "nope=400" {
			t.Errorf("associate: ids %v, errors %v", out.EvidenceIds, codes)
		}
		if f, c, sel := counts(fx.set1, f1); f != 2 || c != 2 || sel != "YNY" {
			t.Errorf("after associating two: folder %d, control %d, evidence %s; want 2, 2, YNY", f, c, sel)
		}
		// Again: nothing changes, no error.
		if _, err := w.owner.BatchAssociateAssessmentReportEvidence(ctx, &am.BatchAssociateAssessmentReportEvidenceInput{
			AssessmentId: id, EvidenceFolderId: aws.String(f1), EvidenceIds: []string{ids1[0]}}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.owner.BatchDisassociateAssessmentReportEvidence(ctx, &am.BatchDisassociateAssessmentReportEvidenceInput{
			AssessmentId: id, EvidenceFolderId: aws.String(f1), EvidenceIds: []string{ids1[0], ids1[1]}}); err != nil {
			t.Fatal(err)
		}
		if f, c, sel := counts(fx.set1, f1); f != 1 || c != 1 || sel != "NNY" {
			t.Errorf("after disassociating: folder %d, control %d, evidence %s; want 1, 1, NNY", f, c, sel)
		}
		// By folder: the delegate selects its set's folder; twice is the same as once.
		for range 2 {
			if _, err := w.delegate.AssociateAssessmentReportEvidenceFolder(ctx, &am.AssociateAssessmentReportEvidenceFolderInput{
				AssessmentId: id, EvidenceFolderId: aws.String(f2)}); err != nil {
				t.Fatal(err)
			}
		}
		if f, c, sel := counts(fx.set2, f2); f != 2 || c != 2 || sel != "YY" {
			t.Errorf("after selecting the folder: folder %d, control %d, evidence %s; want 2, 2, YY", f, c, sel)
		}
		if _, err := w.owner.AssociateAssessmentReportEvidenceFolder(ctx, &am.AssociateAssessmentReportEvidenceFolderInput{
			AssessmentId: id, EvidenceFolderId: aws.String(f1)}); err != nil {
			t.Fatal(err)
		}
		if f, _, sel := counts(fx.set1, f1); f != 3 || sel != "YYY" {
			t.Errorf("folder 1 selected: %d, %s", f, sel)
		}
		if _, err := w.owner.DisassociateAssessmentReportEvidenceFolder(ctx, &am.DisassociateAssessmentReportEvidenceFolderInput{
			AssessmentId: id, EvidenceFolderId: aws.String(f1)}); err != nil {
			t.Fatal(err)
		}
		if f, c, sel := counts(fx.set1, f1); f != 0 || c != 0 || sel != "NNN" {
			t.Errorf("folder 1 deselected: folder %d, control %d, evidence %s", f, c, sel)
		}

		folderOp := func(c *am.Client, folder string) error {
			_, err := c.AssociateAssessmentReportEvidenceFolder(ctx, &am.AssociateAssessmentReportEvidenceFolderInput{
				AssessmentId: id, EvidenceFolderId: aws.String(folder)})
			return err
		}
		itemOp := func(c *am.Client, folder string, ids []string) error {
			_, err := c.BatchAssociateAssessmentReportEvidence(ctx, &am.BatchAssociateAssessmentReportEvidenceInput{
				AssessmentId: id, EvidenceFolderId: aws.String(folder), EvidenceIds: ids})
			return err
		}
		many := make([]string, 51)
		for i := range many {
			many[i] = ids1[0]
		}
		wantAPIError(t, "delegate selects another set's folder", folderOp(w.delegate, f1), "AccessDeniedException")
		wantAPIError(t, "delegate selects another set's evidence", itemOp(w.delegate, f1, ids1[:1]), "AccessDeniedException")
		wantAPIError(t, "stranger selects", folderOp(w.stranger, f1), "AccessDeniedException")
		wantAPIError(t, "viewer selects", folderOp(w.viewer, f1), "AccessDeniedException")
		wantAPIError(t, "other account selects", folderOp(w.bb, f1), "ResourceNotFoundException")
		wantAPIError(t, "unknown folder", folderOp(w.owner, "0123abcd-0123-4567-89ab-0123456789ab"), "ResourceNotFoundException")
		wantAPIError(t, "folder not a UUID", folderOp(w.owner, "x"), "ValidationException")
		wantAPIError(t, "51 ids", itemOp(w.owner, f1, many), "ValidationException")
		if f, _, _ := counts(fx.set1, f1); f != 0 {
			t.Errorf("refused calls selected %d", f)
		}
	})
}
