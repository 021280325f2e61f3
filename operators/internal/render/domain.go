package render

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/ptr"

	"ameide.io/operators/api/v1alpha1"
)

const (
	// AnnotationManagedRole on a CNPG Database is the JSON of the role entry
	// (Cluster spec.managed.roles) that owns it.
	AnnotationManagedRole = "ameide.io/managed-role"

	postgresPort = 5432
	// cnpgClusterLabel is the label CloudNativePG puts on a Cluster's instance pods.
	cnpgClusterLabel = "cnpg.io/cluster"
)

// domainChildren renders a Domain: its migration Job and its Deployment,
// Service, optional HPA, ServiceMonitor, NetworkPolicy and database.
//
// Both the migration Job and the Deployment of the current spec.version are
// rendered here; the ordering between them is the reconciler's: it applies
// the Job first and keeps the Deployment at its previous version until that
// Job is Complete (MigrationFailed, with the Job's reason, if it fails).
// The Job's name carries a hash of version, image and command because a
// Job's pod template is immutable: a new version is a new Job, and the
// Job of a version already migrated is the same object again.
func domainChildren(d *v1alpha1.Domain, opts Options) ([]*unstructured.Unstructured, error) {
	p := newPrimitive("Domain", d, &d.Spec.Workload, d.Spec.Port)
	dbEnv, database, err := domainDatabase(d, p, opts)
	if err != nil {
		return nil, err
	}
	own := append([]corev1.EnvVar{{Name: "AMEIDE_TENANT_MODE", Value: d.Spec.TenantMode}, {Name: "AMEIDE_DOMAIN_VERSION", Value: d.Spec.Version}}, dbEnv...)
	own = append(own, tokenEnv(opts)...)
	env := p.env(opts, own...)

	main, err := p.container(env)
	if err != nil {
		return nil, err
	}
	deploy, err := p.deployment(main, map[string]string{LabelVersion: d.Spec.Version})
	if err != nil {
		return nil, err
	}
	job, err := migrationJob(d, p, dbEnv)
	if err != nil {
		return nil, err
	}
	svc, err := p.service(p.name, "service", false)
	if err != nil {
		return nil, err
	}
	hpa, err := p.hpa()
	if err != nil {
		return nil, err
	}
	policy, err := domainNetworkPolicy(d, p, opts)
	if err != nil {
		return nil, err
	}
	return collect(database, job, deploy, svc, hpa, p.serviceMonitor(opts, "service"), policy), nil
}

// MigrationJobName is the name of the migration Job of d's current
// version, image and command (the reconciler looks it up by this name).
//
// A Job's pod template is immutable, so the name also hashes every other
// part of d the template is built from (env, database, tenant, resources,
// backoff): an edit there is a new Job, never a refused update of the old
// one. Operator-wide options do not enter the Job at all (no OTel endpoint,
// no token settings), so changing a manager flag cannot strand it either;
// the one exception is the CNPG capability, which changes a cnpg Domain's
// database variables.
func MigrationJobName(d *v1alpha1.Domain) string {
	template, _ := json.Marshal(struct {
		Env        map[string]string
		Database   v1alpha1.DomainDatabase
		TenantMode string
		Tenant     string
		Resources  v1alpha1.Resources
		Backoff    int32
		Port       int32
	}{d.Spec.Env, d.Spec.Database, d.Spec.TenantMode, d.Spec.Tenant, d.Spec.Resources, d.Spec.Migrations.BackoffLimit, d.Spec.Port})
	return childName(d.Name, "migrate-"+shortHash(d.Spec.Version, migrationImage(d), strings.Join(d.Spec.Migrations.Command, "\x00"), string(template)), 63)
}

func migrationImage(d *v1alpha1.Domain) string {
	if d.Spec.Migrations.Image != "" {
		return d.Spec.Migrations.Image
	}
	return d.Spec.Image
}

func migrationJob(d *v1alpha1.Domain, p primitive, dbEnv []corev1.EnvVar) (*unstructured.Unstructured, error) {
	// Only what MigrationJobName hashes: no Options beyond the database.
	own := append([]corev1.EnvVar{{Name: "AMEIDE_TENANT_MODE", Value: d.Spec.TenantMode}, {Name: "AMEIDE_DOMAIN_VERSION", Value: d.Spec.Version}}, dbEnv...)
	c, err := p.container(p.env(Options{}, own...))
	if err != nil {
		return nil, err
	}
	c.Image = migrationImage(d)
	c.Command = append([]string(nil), d.Spec.Migrations.Command...)
	c.Ports, c.StartupProbe, c.LivenessProbe, c.ReadinessProbe = nil, nil, nil, nil

	labels := p.labels(ComponentMigration)
	// spec.version may end in '-' or '.', which a label value may not; the
	// annotation always carries it.
	if len(validation.IsValidLabelValue(d.Spec.Version)) == 0 {
		labels[LabelVersion] = d.Spec.Version
	}
	job := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: MigrationJobName(d), Namespace: p.namespace, Labels: labels,
			Annotations: map[string]string{LabelVersion: d.Spec.Version}},
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr.To(d.Spec.Migrations.BackoffLimit),
			// No ttlSecondsAfterFinished: the completed Job is the record that
			// this version is migrated; deleting it would make the reconciler
			// run the migration again.
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       podSpec(c, corev1.RestartPolicyNever),
			},
		},
	}
	return toUnstructured(job)
}

// domainDatabase returns the database variables of the Domain's containers
// and, with CNPG, the Database to apply.
//
// CNPG: a postgresql.cnpg.io/v1 Database in the named Cluster, owned by a
// role of the same name. CNPG models roles in the Cluster's
// spec.managed.roles, each with a passwordSecret (kubernetes.io/basic-auth,
// keys username and password); the Domain expects that Secret as
// <domain>-db-owner and reads user and password from it (PGUSER/PGPASSWORD,
// which node-postgres takes when the URL has none), and the Database
// carries the role entry in its ameide.io/managed-role annotation. The
// Cluster itself belongs to whoever runs Postgres: an owner reference from
// a Domain would let garbage collection delete it, so neither it nor the
// password (which a pure render cannot generate) is a child.
//
// Secret: AMEIDE_POSTGRES_URL (what `ameide serve` reads) from
// spec.database.secretRef.
func domainDatabase(d *v1alpha1.Domain, p primitive, opts Options) ([]corev1.EnvVar, *unstructured.Unstructured, error) {
	db := d.Spec.Database
	if db.Mode == v1alpha1.DatabaseCNPG && opts.Capabilities.CNPG {
		name := DatabaseName(d)
		host := fmt.Sprintf("%s-rw.%s.svc", db.Cluster, p.namespace)
		owner := v1alpha1.SecretKeyRef{Name: DatabaseOwnerSecret(d)}
		env := []corev1.EnvVar{
			{Name: "AMEIDE_POSTGRES_URL", Value: fmt.Sprintf("postgres://%s:%d/%s", host, postgresPort, name)},
			secretEnv("PGUSER", v1alpha1.SecretKeyRef{Name: owner.Name, Key: "username"}),
			secretEnv("PGPASSWORD", v1alpha1.SecretKeyRef{Name: owner.Name, Key: "password"}),
		}
		obj := crdObject("postgresql.cnpg.io/v1", "Database", p.namespace, p.name, p.labels("database"), map[string]interface{}{
			"name":    name,
			"owner":   name,
			"cluster": map[string]interface{}{"name": db.Cluster},
			"ensure":  "present",
			// Deleting the Domain must not drop its data.
			"databaseReclaimPolicy": "retain",
		})
		// The spec.managed.roles entry the Cluster needs, spelled out for
		// whoever owns the Cluster (and for review).
		role, err := json.Marshal(map[string]interface{}{
			"name": name, "ensure": "present", "login": true, "inherit": true,
			"passwordSecret": map[string]string{"name": owner.Name},
		})
		if err != nil {
			return nil, nil, fmt.Errorf("encode managed role: %w", err)
		}
		obj.SetAnnotations(map[string]string{AnnotationManagedRole: string(role)})
		return env, obj, nil
	}
	if db.SecretRef == nil {
		if db.Mode == v1alpha1.DatabaseCNPG {
			return nil, nil, fmt.Errorf("spec.database.mode is cnpg but the cluster serves no postgresql.cnpg.io/v1 Database (CNPG capability off) and spec.database.secretRef is not set")
		}
		return nil, nil, fmt.Errorf("spec.database.secretRef is required when spec.database.mode is secret")
	}
	return []corev1.EnvVar{secretEnv("AMEIDE_POSTGRES_URL", *db.SecretRef)}, nil, nil
}

// DatabaseName is spec.database.name, or the Domain's name as a Postgres
// identifier ("order-book" → "order_book").
func DatabaseName(d *v1alpha1.Domain) string {
	if d.Spec.Database.Name != "" {
		return d.Spec.Database.Name
	}
	n := strings.NewReplacer("-", "_", ".", "_").Replace(d.Name)
	if n == "" || n[0] >= '0' && n[0] <= '9' {
		n = "d_" + n
	}
	if len(n) > 63 {
		n = n[:63]
	}
	return n
}

// DatabaseOwnerSecret is the basic-auth Secret of the CNPG managed role
// that owns a Domain's database.
func DatabaseOwnerSecret(d *v1alpha1.Domain) string { return childName(d.Name, "db-owner", 253) }

// domainNetworkPolicy isolates the Domain's pods (workload and migration).
//
// Ingress is allowed only on the service port, and only from
//   - pods in the Domain's namespace labelled ameide.io/primitive-name with
//     one of spec.allowedCallers, and
//   - any pod of the platform ingress namespace (Options.IngressNamespace).
//
// Egress is allowed only to
//   - DNS: kube-dns pods in kube-system, UDP and TCP 53;
//   - its database: with CNPG the pods of spec.database.cluster on 5432;
//     with a Secret the host is inside the Secret, which a pure render
//     cannot read, so TCP 5432 to any address;
//   - OpenTelemetry: TCP on the port of Options.OTelEndpoint, any address;
//   - the token issuer's keys: TCP on the port of Options.JWKSURL, any
//     address (the host is outside the cluster or behind a name).
//
// Everything else (other primitives, the internet, the Kubernetes API) is
// denied. Prometheus scraping is not admitted either: a ServiceMonitor
// needs a policy of the monitoring namespace's own.
func domainNetworkPolicy(d *v1alpha1.Domain, p primitive, opts Options) (*unstructured.Unstructured, error) {
	ingressNS := opts.IngressNamespace
	if ingressNS == "" {
		ingressNS = DefaultIngressNamespace
	}
	tcp := ptr.To(corev1.ProtocolTCP)
	servicePort := []networkingv1.NetworkPolicyPort{{Protocol: tcp, Port: ptr.To(intstr.FromString(portName))}}

	from := []networkingv1.NetworkPolicyPeer{{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: ingressNS}},
	}}
	if len(d.Spec.AllowedCallers) > 0 {
		from = append([]networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{
			MatchExpressions: []metav1.LabelSelectorRequirement{{
				Key: LabelName, Operator: metav1.LabelSelectorOpIn, Values: sortedCopy(d.Spec.AllowedCallers),
			}},
		}}}, from...)
	}

	egress := []networkingv1.NetworkPolicyEgressRule{dnsEgress()}
	dbRule := networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{{Protocol: tcp, Port: ptr.To(intstr.FromInt32(postgresPort))}}}
	if d.Spec.Database.Mode == v1alpha1.DatabaseCNPG && opts.Capabilities.CNPG {
		dbRule.To = []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{cnpgClusterLabel: d.Spec.Database.Cluster}}}}
	}
	egress = append(egress, dbRule)
	for _, endpoint := range []struct {
		what, url string
		port      func(string) (int32, error)
	}{{"OTel endpoint", opts.OTelEndpoint, otlpPort}, {"JWKS URL", opts.JWKSURL, httpPort}} {
		port, err := endpoint.port(endpoint.url)
		if err != nil {
			return nil, err
		}
		if port != 0 {
			egress = append(egress, networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{{Protocol: tcp, Port: ptr.To(intstr.FromInt32(port))}}})
		}
	}

	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: p.meta(p.name, "network-policy"),
		Spec: networkingv1.NetworkPolicySpec{
			// Workload and migration pods alike.
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelKind: p.kind, LabelName: p.name}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: from, Ports: servicePort}},
			Egress:      egress,
		},
	}
	return toUnstructured(np)
}

// dnsEgress admits DNS to the cluster's kube-dns pods.
func dnsEgress() networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: "kube-system"}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"k8s-app": "kube-dns"}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{
			{Protocol: ptr.To(corev1.ProtocolUDP), Port: ptr.To(intstr.FromInt32(53))},
			{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(53))},
		},
	}
}

// otlpPort is the port of an OTLP endpoint URL (0 when none is set): the
// URL's own, else 4318 for http (OTLP/HTTP) and 4317 for grpc/https.
func otlpPort(endpoint string) (int32, error) {
	return urlPort("OTel endpoint", endpoint, map[string]int32{"http": 4318, "https": 4317, "grpc": 4317})
}

// httpPort is the port of an http(s) URL (0 when none is set).
func httpPort(endpoint string) (int32, error) {
	return urlPort("JWKS URL", endpoint, map[string]int32{"http": 80, "https": 443})
}

func urlPort(what, endpoint string, defaults map[string]int32) (int32, error) {
	if endpoint == "" {
		return 0, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return 0, fmt.Errorf("%s %q is not a URL (scheme://host[:port])", what, endpoint)
	}
	if s := u.Port(); s != "" {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil || n < 1 || n > 65535 {
			return 0, fmt.Errorf("%s %q: port %q is not 1-65535", what, endpoint, s)
		}
		return int32(n), nil
	}
	port, ok := defaults[u.Scheme]
	if !ok {
		return 0, fmt.Errorf("%s %q: scheme %q has no default port; name the port", what, endpoint, u.Scheme)
	}
	return port, nil
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
