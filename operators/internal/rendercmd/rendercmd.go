// Package rendercmd is `ameide-operator render`: it prints the children the
// operator would apply for primitive custom resources, with no cluster, for
// GitOps review. Each CR is first admitted the way the API server would
// admit it (package validate), then rendered by package render, the code
// the reconcilers run.
package rendercmd

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
	"ameide.io/operators/internal/validate"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitInvalid = 1 // a document could not be read, admitted or rendered
	ExitUsage   = 2
)

const usageText = `Usage: ameide-operator render -f FILE [-f FILE | -f -]... [flags]

Prints, as a YAML stream, the objects the operator would apply for the
ameide.io primitives in FILE (Domain, Process, Agent, UISurface, Projection,
Integration, AmeideTenant; several documents per file, separated by ---,
or a v1 List). Needs no cluster. AmeideTenants come first (their namespaces
before what is placed in them), then the others in input order; each CR's
children in apply order, under a "# Source:" comment naming the CR.

Every document is first checked as the API server would check a create:
unknown fields, the CRD's types, enums, patterns and bounds, its defaults,
and its CEL rules. If any document is refused nothing is printed; each
refusal names the file, the document's position (1-based), its kind and
name, and the field.

Flags:
  -f, --filename FILE        a YAML (or JSON) file of primitives, a directory of them,
                             or - for stdin (repeatable)
  -n, --namespace NS         namespace of documents that name none (default "default")
      --capabilities LIST    optional APIs the target cluster serves, comma-separated:
                             cnpg (postgresql.cnpg.io Database), prometheus
                             (monitoring.coreos.com ServiceMonitor), gateway
                             (gateway.networking.k8s.io HTTPRoute), all, or none
                             (default none: children of absent APIs are left out)
      --otel-endpoint URL    OTLP endpoint set as OTEL_EXPORTER_OTLP_ENDPOINT
      --temporal-address H:P Temporal frontend of Processes that name none
      --transformation-url URL
                             base URL of the Transformation Domain
      --plan-hash HASH       published plan hash of the Processes rendered
      --ingress-namespace NS namespace of the platform ingress pods a Domain's
                             NetworkPolicy admits (default "` + render.DefaultIngressNamespace + `")
      --token-issuer ISS     issuer of the bearer tokens Domains and Projections verify
      --jwks-url URL         the issuer's JWKS (a Domain's NetworkPolicy admits its port)
  -h, --help                 this text

Exit status: 0 rendered, 1 a document was refused or unreadable, 2 usage error.

Example:
  ameide-operator render -f examples/primitives/sales-domain.yaml --capabilities prometheus
`

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(v string) error { *f = append(*f, v); return nil }

// Run executes `render` with args (the words after "render") and returns
// the exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		files            fileList
		namespace        string
		capabilities     string
		opts             render.Options
		help             bool
		ingressNamespace string
	)
	fs.Var(&files, "f", "")
	fs.Var(&files, "filename", "")
	fs.StringVar(&namespace, "n", "default", "")
	fs.StringVar(&namespace, "namespace", "default", "")
	fs.StringVar(&capabilities, "capabilities", "", "")
	fs.StringVar(&opts.OTelEndpoint, "otel-endpoint", "", "")
	fs.StringVar(&opts.TemporalAddress, "temporal-address", "", "")
	fs.StringVar(&opts.TransformationURL, "transformation-url", "", "")
	fs.StringVar(&opts.PlanHash, "plan-hash", "", "")
	fs.StringVar(&ingressNamespace, "ingress-namespace", "", "")
	fs.StringVar(&opts.TokenIssuer, "token-issuer", "", "")
	fs.StringVar(&opts.JWKSURL, "jwks-url", "", "")
	fs.BoolVar(&help, "h", false, "")
	fs.BoolVar(&help, "help", false, "")

	usage := func(format string, a ...interface{}) int {
		fmt.Fprintf(stderr, "ameide-operator render: "+format+"\n", a...)
		fmt.Fprintln(stderr, "Run 'ameide-operator render --help' for usage.")
		return ExitUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usageText)
			return ExitOK
		}
		return usage("%v", err)
	}
	if help {
		fmt.Fprint(stdout, usageText)
		return ExitOK
	}
	if fs.NArg() > 0 {
		return usage("unexpected argument %q (files are given with -f)", fs.Arg(0))
	}
	if len(files) == 0 {
		return usage("no input: give at least one -f FILE (or -f - for stdin)")
	}
	stdinUses := 0
	for _, f := range files {
		if f == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return usage("-f - (stdin) may be given only once")
	}
	caps, err := parseCapabilities(capabilities)
	if err != nil {
		return usage("%v", err)
	}
	opts.Capabilities = caps
	opts.IngressNamespace = ingressNamespace

	v, err := validate.New()
	if err != nil {
		fmt.Fprintf(stderr, "ameide-operator render: load the embedded CRDs: %v\n", err)
		return ExitInvalid
	}
	var (
		admitted []admittedDoc
		failed   bool
	)
	inputs, err := expandDirectories(files)
	if err != nil {
		fmt.Fprintf(stderr, "ameide-operator render: %v\n", err)
		return ExitInvalid
	}
	for _, f := range inputs {
		docs, err := readDocuments(f, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "ameide-operator render: %s: %v\n", displayName(f), err)
			failed = true
			continue
		}
		for _, d := range docs {
			obj, err := admit(v, d, namespace)
			if err != nil {
				report(stderr, d, err)
				failed = true
				continue
			}
			admitted = append(admitted, admittedDoc{doc: d, obj: obj})
		}
	}
	if failed {
		return ExitInvalid
	}

	// Tenants first: their namespaces must exist before primitives placed
	// in them. Otherwise input order; each CR's children in apply order.
	sort.SliceStable(admitted, func(i, j int) bool {
		return isTenant(admitted[i].obj) && !isTenant(admitted[j].obj)
	})
	var out bytes.Buffer
	for _, a := range admitted {
		kids, err := render.Children(a.obj, opts)
		if err != nil {
			fmt.Fprintf(stderr, "ameide-operator render: %s: %v\n", a.doc.where(), err)
			return ExitInvalid
		}
		for _, k := range kids {
			b, err := yaml.Marshal(k.Object)
			if err != nil {
				fmt.Fprintf(stderr, "ameide-operator render: %s: encode %s %s: %v\n", a.doc.where(), k.GetKind(), k.GetName(), err)
				return ExitInvalid
			}
			fmt.Fprintf(&out, "---\n# Source: %s\n", a.doc.where())
			out.Write(b)
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "ameide-operator render: write output: %v\n", err)
		return ExitInvalid
	}
	return ExitOK
}

func isTenant(obj client.Object) bool {
	_, ok := obj.(*v1alpha1.AmeideTenant)
	return ok
}

type admittedDoc struct {
	doc document
	obj client.Object
}

// document is one YAML document of an input file.
type document struct {
	file  string
	index int // 1-based position among the file's non-empty documents
	item  int // 1-based position inside a v1 List, 0 otherwise
	obj   *unstructured.Unstructured
}

func (d document) where() string {
	s := fmt.Sprintf("%s document %d", displayName(d.file), d.index)
	if d.item > 0 {
		s += fmt.Sprintf(" item %d", d.item)
	}
	if d.obj == nil {
		return s
	}
	id := d.obj.GetName()
	if ns := d.obj.GetNamespace(); ns != "" {
		id = ns + "/" + id
	}
	kind := d.obj.GetKind()
	if kind == "" {
		kind = "(no kind)"
	}
	if id == "" {
		id = "(no name)"
	}
	return fmt.Sprintf("%s (%s %s)", s, kind, id)
}

func displayName(f string) string {
	if f == "-" {
		return "<stdin>"
	}
	return f
}

// expandDirectories replaces a directory by its *.yaml, *.yml and *.json
// files (not recursively), in name order, as kubectl -f does.
func expandDirectories(files []string) ([]string, error) {
	var out []string
	for _, f := range files {
		info, err := os.Stat(f)
		if f == "-" || err != nil || !info.IsDir() {
			out = append(out, f) // a missing file is reported when read
			continue
		}
		entries, err := os.ReadDir(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		n := len(out)
		for _, e := range entries {
			switch strings.ToLower(filepath.Ext(e.Name())) {
			case ".yaml", ".yml", ".json":
				if !e.IsDir() {
					out = append(out, filepath.Join(f, e.Name()))
				}
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("%s: a directory without *.yaml, *.yml or *.json files", f)
		}
	}
	return out, nil
}

func readDocuments(file string, stdin io.Reader) ([]document, error) {
	var r io.Reader
	if file == "-" {
		r = stdin
	} else {
		fh, err := os.Open(file)
		if err != nil {
			return nil, err
		}
		defer fh.Close()
		r = fh
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var out []document
	index := 0
	for {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read YAML after document %d: %w", index, err)
		}
		if isEmptyDocument(raw) {
			continue
		}
		index++
		// Strict: a duplicated key is refused, as the API server's strict
		// field validation refuses a duplicated field.
		js, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			return nil, fmt.Errorf("document %d is not valid YAML: %w", index, err)
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(js); err != nil {
			return nil, fmt.Errorf("document %d is not a Kubernetes object: %w", index, err)
		}
		if obj.IsList() {
			list, err := obj.ToList()
			if err != nil {
				return nil, fmt.Errorf("document %d: %w", index, err)
			}
			for i := range list.Items {
				out = append(out, document{file: file, index: index, item: i + 1, obj: &list.Items[i]})
			}
			continue
		}
		out = append(out, document{file: file, index: index, obj: obj})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no YAML documents")
	}
	return out, nil
}

// isEmptyDocument is true for a document of only blank lines and comments.
func isEmptyDocument(raw []byte) bool {
	for _, line := range bytes.Split(raw, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("---")) {
			return false
		}
	}
	return true
}

// admit places a namespaced document without namespace in the default
// namespace (as kubectl does) and admits it.
func admit(v *validate.Validator, d document, namespace string) (client.Object, error) {
	if namespaced, ok := v.Namespaced(d.obj.GroupVersionKind()); ok && namespaced && d.obj.GetNamespace() == "" {
		d.obj.SetNamespace(namespace)
	}
	return v.Admit(d.obj)
}

// report writes one line per refused field, each naming where it is.
func report(w io.Writer, d document, err error) {
	var invalid *validate.InvalidError
	if errors.As(err, &invalid) {
		for _, e := range invalid.Errs {
			msg := e.Error()
			if e.Field == "" || e.Field == "<nil>" { // the API server's note that CEL rules were skipped
				msg = e.Detail
			}
			fmt.Fprintf(w, "ameide-operator render: %s: %s\n", d.where(), msg)
		}
		return
	}
	fmt.Fprintf(w, "ameide-operator render: %s: %v\n", d.where(), err)
}

func parseCapabilities(list string) (render.Capabilities, error) {
	var c render.Capabilities
	for _, word := range strings.Split(list, ",") {
		switch strings.TrimSpace(strings.ToLower(word)) {
		case "", "none":
		case "cnpg":
			c.CNPG = true
		case "prometheus", "prometheus-operator":
			c.PrometheusOperator = true
		case "gateway", "gateway-api":
			c.GatewayAPI = true
		case "all":
			c = render.Capabilities{CNPG: true, PrometheusOperator: true, GatewayAPI: true}
		default:
			known := []string{"cnpg", "prometheus", "gateway", "all", "none"}
			sort.Strings(known)
			return c, fmt.Errorf("--capabilities: unknown capability %q (known: %s)", word, strings.Join(known, ", "))
		}
	}
	return c, nil
}
