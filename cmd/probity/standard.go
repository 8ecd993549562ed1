package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/cobra"

	"github.com/probity-dev/probity"
	"github.com/probity-dev/probity/internal/awsconf"
	"github.com/probity-dev/probity/internal/confpack"
	"github.com/probity-dev/probity/internal/oscal"
	"github.com/probity-dev/probity/internal/standard"
	"github.com/probity-dev/probity/internal/store"
)

// loadBuiltin applies the standard content shipped in the binary to the library, as
// every start of serve and every command that reads standard content does: the first
// time it creates it, afterwards (and after an upgrade that ships the same content) it
// writes nothing, and content changed by an upgrade is updated in place.
func loadBuiltin(ctx context.Context, st store.Store, region string) (standard.Summary, error) {
	c, err := standard.Builtin()
	if err != nil {
		return standard.Summary{}, err
	}
	part := probity.DefaultPartition
	if region != "" {
		part.Region = region
	}
	sum, err := standard.Apply(ctx, st, c, part, time.Now().UTC())
	if err != nil {
		return sum, fmt.Errorf("built-in standard content: %w", err)
	}
	return sum, nil
}

// openStandard opens the library with the built-in standard content loaded (loadBuiltin),
// for the commands that read standard content. It returns the error of either step, the
// store closed.
func openStandard(ctx context.Context, db dbSpec) (store.Store, error) {
	st, err := openStore(ctx, db)
	if err != nil {
		return nil, err
	}
	if _, err := loadBuiltin(ctx, st, ""); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func newImportCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import standard controls and frameworks from open data",
	}
	cmd.AddCommand(newImportOSCALCmd(env), newImportPackCmd(env))
	return cmd
}

func newImportOSCALCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "oscal CATALOG [--profile PROFILE]...",
		Short: "Import an OSCAL catalog (JSON, YAML or XML; a file, an http(s) URL or s3://BUCKET/KEY) as standard controls and a framework, and each profile as a framework",
		Args:  cobra.ExactArgs(1),
	}
	var profiles []string
	cmd.Flags().StringArrayVar(&profiles, "profile", nil, "an OSCAL profile of the catalog (repeatable); its imports resolve to the catalog, or to another --profile the import names by file name")
	db := dbFlag(cmd, env)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		catDoc, err := readOSCAL(ctx, args[0])
		if err != nil {
			return err
		}
		if catDoc.Catalog == nil {
			return exitWith(ExitInvalid, fmt.Errorf("%s: is a profile; give the catalog first and profiles with --profile", args[0]))
		}
		o := standard.FromCatalog(catDoc.Catalog)
		byName := map[string]*oscal.Document{}
		docs := make([]*oscal.Document, len(profiles))
		for i, p := range profiles {
			d, err := readOSCAL(ctx, p)
			if err != nil {
				return err
			}
			if d.Profile == nil {
				return exitWith(ExitInvalid, fmt.Errorf("%s: is not an OSCAL profile", p))
			}
			docs[i] = d
			byName[path.Base(p)] = d
		}
		for i, d := range docs {
			if err := o.AddProfile(d.Profile, profileResolver(d.Profile, catDoc, byName)); err != nil {
				return exitWith(ExitInvalid, fmt.Errorf("%s: %w", profiles[i], err))
			}
		}
		return applyStandard(ctx, env, db(), &o.Content)
	}
	return cmd
}

// profileResolver resolves the imports of p: to a profile given on the command line
// when the href (or, for "#UUID", a link of that back-matter resource) has its file
// name, and otherwise to the catalog given. Nothing is fetched.
func profileResolver(p *oscal.Profile, catalog *oscal.Document, profiles map[string]*oscal.Document) oscal.Resolver {
	return func(href string) (*oscal.Document, error) {
		hrefs := []string{href}
		if id, ok := strings.CutPrefix(href, "#"); ok && p.BackMatter != nil {
			for _, r := range p.BackMatter.Resources {
				if r.UUID == id {
					for _, l := range r.Rlinks {
						hrefs = append(hrefs, l.Href)
					}
				}
			}
		}
		for _, h := range hrefs {
			if d := profiles[path.Base(h)]; d != nil && d.Profile != p {
				return d, nil
			}
		}
		return catalog, nil
	}
}

func newImportPackCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "conformance-pack FILE...",
		Short: "Import AWS Config conformance packs (a file, an http(s) URL or s3://BUCKET/KEY) as standard frameworks whose controls collect from the packs' rules",
		Args:  cobra.MinimumNArgs(1),
	}
	db := dbFlag(cmd, env)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		all := &standard.Content{}
		for _, a := range args {
			data, err := readSource(ctx, a)
			if err != nil {
				return err
			}
			p, err := confpack.Decode(a, data)
			if err != nil {
				return exitWith(ExitInvalid, err)
			}
			all.Add(standard.FromPack(p))
		}
		return applyStandard(ctx, env, db(), all)
	}
	return cmd
}

// applyStandard applies imported content after the built-in content, so that names
// are checked against it, and prints what changed.
func applyStandard(ctx context.Context, env Env, db dbSpec, c *standard.Content) error {
	st, err := openStandard(ctx, db)
	if err != nil {
		return asInternal(err)
	}
	defer st.Close()
	sum, err := standard.Apply(ctx, st, c, probity.DefaultPartition, time.Now().UTC())
	switch probity.ErrorCode(err) {
	case "":
	case probity.EINVALID, probity.ECONFLICT:
		return exitWith(ExitInvalid, err)
	default:
		return asInternal(err)
	}
	fmt.Fprintf(env.Stdout, "Imported %d standard controls and %d standard frameworks (%s).\n", len(c.Controls), len(c.Frameworks), sum)
	return nil
}

// readOSCAL reads and decodes an OSCAL document; a document that does not decode is
// ExitInvalid.
func readOSCAL(ctx context.Context, ref string) (*oscal.Document, error) {
	data, err := readSource(ctx, ref)
	if err != nil {
		return nil, err
	}
	d, err := oscal.Decode(ref, data)
	if err != nil {
		return nil, exitWith(ExitInvalid, err)
	}
	return d, nil
}

// maxImportBytes bounds what an import reads from one file, URL or object.
const maxImportBytes = 256 << 20

// readSource reads a file, an http(s) URL or s3://BUCKET/KEY (with the standard AWS
// configuration). Failing to read is a usage error.
func readSource(ctx context.Context, ref string) ([]byte, error) {
	var r io.ReadCloser
	switch {
	case strings.HasPrefix(ref, "http://"), strings.HasPrefix(ref, "https://"):
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
		if err != nil {
			return nil, exitWith(ExitUsage, err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, exitWith(ExitUsage, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, exitWith(ExitUsage, fmt.Errorf("%s: HTTP %s", ref, resp.Status))
		}
		r = resp.Body
	case strings.HasPrefix(ref, "s3://"):
		bucket, key, _ := strings.Cut(strings.TrimPrefix(ref, "s3://"), "/")
		if bucket == "" || key == "" {
			return nil, exitWith(ExitUsage, fmt.Errorf("%s: an S3 object is s3://BUCKET/KEY", ref))
		}
		o := awsconf.Options{}
		cfg, err := awsconf.Load(ctx, o)
		if err != nil {
			return nil, exitWith(ExitUsage, fmt.Errorf("%s: %w", ref, err))
		}
		out, err := s3.NewFromConfig(cfg, o.S3Options).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return nil, exitWith(ExitUsage, fmt.Errorf("%s: %w", ref, err))
		}
		r = out.Body
	default:
		f, err := os.Open(ref)
		if err != nil {
			return nil, exitWith(ExitUsage, err)
		}
		r = f
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, maxImportBytes+1))
	if err != nil {
		return nil, exitWith(ExitUsage, fmt.Errorf("%s: %w", ref, err))
	}
	if len(data) > maxImportBytes {
		return nil, exitWith(ExitUsage, fmt.Errorf("%s: is larger than %d MiB", ref, maxImportBytes>>20))
	}
	return data, nil
}

func newCrosswalkCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "crosswalk [--rule ID]",
		Short: "Print which standard controls, of which frameworks, share each managed rule as a data source",
		Args:  cobra.NoArgs,
	}
	var rule string
	cmd.Flags().StringVar(&rule, "rule", "", "only this managed rule identifier (such as ACCESS_KEYS_ROTATED)")
	db := dbFlag(cmd, env)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		st, err := openStandard(ctx, db())
		if err != nil {
			return asInternal(err)
		}
		defer st.Close()
		lib, err := st.Library(ctx, "")
		if err != nil {
			return asInternal(err)
		}
		links := standard.Crosswalk(lib, rule)
		if len(links) == 0 {
			return exitWith(ExitInvalid, fmt.Errorf("no standard control uses the managed rule %q", rule))
		}
		fmt.Fprintln(env.Stdout, "RULE\tFRAMEWORK\tCONTROL\tCONTROL ID")
		for _, l := range links {
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\n", l.Rule, l.Framework, l.Control, l.ControlID)
		}
		return nil
	}
	return cmd
}
