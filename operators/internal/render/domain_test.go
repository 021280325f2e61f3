package render_test

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/internal/render"
)

const salesDomain = `
apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: sales, namespace: apps}
spec:
  image: ghcr.io/ameide/sales:0.1.0
  version: 0.1.0
  replicas: 2
  port: 9090
  tenant: acme
  database: {secretRef: {name: sales-db, key: url}}
  allowedCallers: [order-to-cash, console]
  env: {ZETA: "1", ALPHA: "2", MIDDLE: "3"}
`

func TestDomainChildrenWithoutOptionalAPIs(t *testing.T) {
	d := admitted(t, salesDomain)
	kids := renderOK(t, d, render.Options{OTelEndpoint: "http://otel-collector.observability.svc:4318"})
	job := render.MigrationJobName(d.(*v1alpha1.Domain))
	want := "NetworkPolicy/sales Service/sales Job/" + job + " Deployment/sales"
	if got := summary(kids); got != want {
		t.Fatalf("children = %s\nwant       %s", got, want)
	}

	dep := typed[appsv1.Deployment](t, find(t, kids, "Deployment", "sales"))
	if dep.Spec.Replicas == nil || *dep.Spec.Replicas != 2 {
		t.Errorf("replicas = %v, want 2", dep.Spec.Replicas)
	}
	if got := dep.Spec.Template.Annotations[render.LabelVersion]; got != "0.1.0" {
		t.Errorf("pod template annotation %s = %q, want the version", render.LabelVersion, got)
	}
	if got := dep.Spec.Template.Labels[render.LabelComponent]; got != render.ComponentWorkload {
		t.Errorf("pod component = %q", got)
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if c.Image != "ghcr.io/ameide/sales:0.1.0" || c.Ports[0].ContainerPort != 9090 {
		t.Errorf("container image %s port %d", c.Image, c.Ports[0].ContainerPort)
	}
	wantEnv(t, c, map[string]string{
		"AMEIDE_PRIMITIVE_TYPE":       "domain",
		"AMEIDE_PRIMITIVE_NAME":       "sales",
		"AMEIDE_TENANT_MODE":          "shared",
		"AMEIDE_TENANT":               "acme",
		"AMEIDE_HOST":                 "0.0.0.0",
		"AMEIDE_PORT":                 "9090",
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.observability.svc:4318",
		"OTEL_SERVICE_NAME":           "sales",
		"AMEIDE_POSTGRES_URL":         "secret:sales-db/url",
	})
	// spec.env last, sorted by name.
	names := []string{}
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	if got := strings.Join(names[len(names)-3:], ","); got != "ALPHA,MIDDLE,ZETA" {
		t.Errorf("spec.env order = %s, want sorted at the end", got)
	}
	assertHardenedPod(t, dep.Spec.Template.Spec)
	if c.ReadinessProbe.HTTPGet.Path != "/readyz" || c.LivenessProbe.HTTPGet.Path != "/healthz" || c.StartupProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("probes: readiness %s liveness %s startup %s", c.ReadinessProbe.HTTPGet.Path, c.LivenessProbe.HTTPGet.Path, c.StartupProbe.HTTPGet.Path)
	}
	if c.Resources.Requests.Cpu().String() != "100m" || c.Resources.Limits.Memory().String() != "512Mi" {
		t.Errorf("resources = %v", c.Resources)
	}

	svc := typed[corev1.Service](t, find(t, kids, "Service", "sales"))
	if svc.Spec.Ports[0].Port != render.ServicePort || svc.Spec.Ports[0].TargetPort.StrVal != "http" {
		t.Errorf("service port %d → %v", svc.Spec.Ports[0].Port, svc.Spec.Ports[0].TargetPort)
	}
	for k, v := range svc.Spec.Selector {
		if dep.Spec.Template.Labels[k] != v {
			t.Errorf("service selector %s=%s does not select the pods", k, v)
		}
	}
}

func assertHardenedPod(t *testing.T, spec corev1.PodSpec) {
	t.Helper()
	psc := spec.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context = %+v", psc)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		t.Errorf("service account token is mounted")
	}
	for _, c := range spec.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot ||
			sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault ||
			sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			t.Errorf("container %s security context = %+v", c.Name, sc)
		}
		tmp := false
		for _, m := range c.VolumeMounts {
			tmp = tmp || m.MountPath == "/tmp"
		}
		if !tmp {
			t.Errorf("container %s has no writable /tmp under a read-only root", c.Name)
		}
	}
}

func TestDomainMigrationJob(t *testing.T) {
	d := admitted(t, salesDomain).(*v1alpha1.Domain)
	kids := renderOK(t, d, render.Options{})
	name := render.MigrationJobName(d)
	job := typed[batchv1.Job](t, find(t, kids, "Job", name))
	if job.Labels[render.LabelComponent] != render.ComponentMigration || job.Labels[render.LabelVersion] != "0.1.0" {
		t.Errorf("job labels = %v", job.Labels)
	}
	c := job.Spec.Template.Spec.Containers[0]
	if strings.Join(c.Command, " ") != "ameide migrate" || c.Image != d.Spec.Image {
		t.Errorf("migration container %s %v", c.Image, c.Command)
	}
	if c.ReadinessProbe != nil || job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever || *job.Spec.BackoffLimit != 2 {
		t.Errorf("job pod: probe %v restart %s backoff %d", c.ReadinessProbe, job.Spec.Template.Spec.RestartPolicy, *job.Spec.BackoffLimit)
	}
	wantEnv(t, c, map[string]string{"AMEIDE_POSTGRES_URL": "secret:sales-db/url", "AMEIDE_PRIMITIVE_NAME": "sales"})
	assertHardenedPod(t, job.Spec.Template.Spec)
	if !strings.HasPrefix(name, "sales-migrate-") || len(name) > 63 {
		t.Errorf("job name %q", name)
	}

	// A new version, image or command is a new Job; replicas are not.
	rename := func(mut func(*v1alpha1.Domain)) string {
		c := d.DeepCopy()
		mut(c)
		return render.MigrationJobName(c)
	}
	for what, mut := range map[string]func(*v1alpha1.Domain){
		"version": func(c *v1alpha1.Domain) { c.Spec.Version = "0.2.0" },
		"image":   func(c *v1alpha1.Domain) { c.Spec.Image = "ghcr.io/ameide/sales:0.1.1" },
		"command": func(c *v1alpha1.Domain) { c.Spec.Migrations.Command = []string{"ameide", "migrate", "--dry-run"} },
		"migration image": func(c *v1alpha1.Domain) {
			c.Spec.Migrations.Image = "ghcr.io/ameide/sales-migrations:0.1.0"
		},
	} {
		if rename(mut) == name {
			t.Errorf("changing the %s keeps job name %s", what, name)
		}
	}
	if rename(func(c *v1alpha1.Domain) { c.Spec.Replicas = new(int32) }) != name {
		t.Errorf("changing replicas renamed the migration job")
	}
	// Job pod templates are immutable: whatever changes the rendered Job
	// changes its name, and operator-wide options do not change it.
	jobOf := func(d *v1alpha1.Domain, opts render.Options) string {
		kids := renderOK(t, d, opts)
		return marshalAll(t, findKind(kids, "Job"))
	}
	base := jobOf(d, render.Options{})
	if jobOf(d, render.Options{OTelEndpoint: "http://otel:4317", TokenIssuer: "https://id", JWKSURL: "https://id/certs", IngressNamespace: "gw", Capabilities: render.Capabilities{PrometheusOperator: true, GatewayAPI: true}}) != base {
		t.Errorf("operator options changed the migration Job (its pod template is immutable)")
	}
	for what, mut := range map[string]func(*v1alpha1.Domain){
		"env":       func(c *v1alpha1.Domain) { c.Spec.Env = map[string]string{"LOG_LEVEL": "debug"} },
		"database":  func(c *v1alpha1.Domain) { c.Spec.Database.SecretRef.Key = "url2" },
		"resources": func(c *v1alpha1.Domain) { c.Spec.Resources.MemoryLimit = "1Gi" },
		"tenant":    func(c *v1alpha1.Domain) { c.Spec.Tenant = "other" },
		"backoff":   func(c *v1alpha1.Domain) { c.Spec.Migrations.BackoffLimit = 5 },
	} {
		changed := d.DeepCopy()
		mut(changed)
		if jobOf(changed, render.Options{}) == base {
			t.Fatalf("changing %s left the Job unchanged (test is wrong)", what)
		}
		if render.MigrationJobName(changed) == name {
			t.Errorf("changing %s changes the Job's pod template but keeps its name %s", what, name)
		}
	}
	odd := d.DeepCopy()
	odd.Spec.Version = "1.0-"
	oddJob := typed[batchv1.Job](t, find(t, renderOK(t, odd, render.Options{}), "Job", render.MigrationJobName(odd)))
	if _, ok := oddJob.Labels[render.LabelVersion]; ok || oddJob.Annotations[render.LabelVersion] != "1.0-" {
		t.Errorf("version %q, not a valid label value: labels %v annotations %v", odd.Spec.Version, oddJob.Labels, oddJob.Annotations)
	}
	long := d.DeepCopy()
	long.Name = strings.Repeat("a", 60)
	if n := render.MigrationJobName(long); len(n) > 63 {
		t.Errorf("job name of a long Domain is %d characters", len(n))
	}
}

func TestDomainAutoscalingLeavesReplicasToTheHPA(t *testing.T) {
	d := admitted(t, salesDomain+"  autoscaling: {minReplicas: 2, maxReplicas: 8}\n")
	kids := renderOK(t, d, render.Options{})
	dep := typed[appsv1.Deployment](t, find(t, kids, "Deployment", "sales"))
	if dep.Spec.Replicas != nil {
		t.Errorf("deployment replicas = %d with autoscaling, want unset", *dep.Spec.Replicas)
	}
	hpa := typed[autoscalingv2.HorizontalPodAutoscaler](t, find(t, kids, "HorizontalPodAutoscaler", "sales"))
	if *hpa.Spec.MinReplicas != 2 || hpa.Spec.MaxReplicas != 8 || hpa.Spec.ScaleTargetRef.Name != "sales" ||
		*hpa.Spec.Metrics[0].Resource.Target.AverageUtilization != 75 {
		t.Errorf("hpa spec = %+v", hpa.Spec)
	}
	if len(findKind(renderOK(t, admitted(t, salesDomain), render.Options{}), "HorizontalPodAutoscaler")) != 0 {
		t.Errorf("an HPA without spec.autoscaling")
	}
}

const cnpgDomain = `
apiVersion: ameide.io/v1alpha1
kind: Domain
metadata: {name: order-book, namespace: apps}
spec:
  image: ghcr.io/ameide/orders:1.0.0
  version: 1.0.0
  database: {mode: cnpg, cluster: pg-main}
`

func TestDomainDatabaseWithCNPG(t *testing.T) {
	d := admitted(t, cnpgDomain)
	kids := renderOK(t, d, render.Options{Capabilities: allCaps})
	db := find(t, kids, "Database", "order-book")
	if db.GetAPIVersion() != "postgresql.cnpg.io/v1" {
		t.Errorf("database apiVersion %s", db.GetAPIVersion())
	}
	if nested(t, db, "spec", "name") != "order_book" || nested(t, db, "spec", "owner") != "order_book" ||
		nested(t, db, "spec", "cluster", "name") != "pg-main" || nested(t, db, "spec", "databaseReclaimPolicy") != "retain" {
		t.Errorf("database spec = %v", db.Object["spec"])
	}
	var role struct {
		Name           string            `json:"name"`
		Login          bool              `json:"login"`
		PasswordSecret map[string]string `json:"passwordSecret"`
	}
	if err := json.Unmarshal([]byte(db.GetAnnotations()[render.AnnotationManagedRole]), &role); err != nil ||
		role.Name != "order_book" || !role.Login || role.PasswordSecret["name"] != "order-book-db-owner" {
		t.Errorf("managed role annotation = %q (%v)", db.GetAnnotations()[render.AnnotationManagedRole], err)
	}
	dep := typed[appsv1.Deployment](t, find(t, kids, "Deployment", "order-book"))
	wantEnv(t, dep.Spec.Template.Spec.Containers[0], map[string]string{
		"AMEIDE_POSTGRES_URL": "postgres://pg-main-rw.apps.svc:5432/order_book",
		"PGUSER":              "secret:order-book-db-owner/username",
		"PGPASSWORD":          "secret:order-book-db-owner/password",
	})
	np := typed[networkingv1.NetworkPolicy](t, find(t, kids, "NetworkPolicy", "order-book"))
	found := false
	for _, e := range np.Spec.Egress {
		for _, to := range e.To {
			if to.PodSelector != nil && to.PodSelector.MatchLabels["cnpg.io/cluster"] == "pg-main" && e.Ports[0].Port.IntVal == 5432 {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no egress to the CNPG cluster's pods on 5432: %+v", np.Spec.Egress)
	}

	// Without CNPG and without a Secret there is no database to wire.
	if _, err := render.Children(d, render.Options{}); err == nil || !strings.Contains(err.Error(), "spec.database.mode is cnpg") {
		t.Errorf("cnpg Domain on a cluster without CNPG: error %v", err)
	}
	// Without CNPG but with a Secret the Secret is used.
	withSecret := admitted(t, strings.Replace(cnpgDomain, "cluster: pg-main}", "cluster: pg-main, secretRef: {name: orders-db, key: url}}", 1))
	kids = renderOK(t, withSecret, render.Options{})
	if len(findKind(kids, "Database")) != 0 {
		t.Errorf("a Database child without the CNPG capability")
	}
	wantEnv(t, typed[appsv1.Deployment](t, find(t, kids, "Deployment", "order-book")).Spec.Template.Spec.Containers[0],
		map[string]string{"AMEIDE_POSTGRES_URL": "secret:orders-db/url"})
}

func TestDomainNetworkPolicy(t *testing.T) {
	kids := renderOK(t, admitted(t, salesDomain), render.Options{OTelEndpoint: "http://otel.observability.svc:4318", IngressNamespace: "gw"})
	np := typed[networkingv1.NetworkPolicy](t, find(t, kids, "NetworkPolicy", "sales"))
	if np.Spec.PodSelector.MatchLabels[render.LabelName] != "sales" || np.Spec.PodSelector.MatchLabels[render.LabelComponent] != "" {
		t.Errorf("policy selects %v, want workload and migration pods of sales", np.Spec.PodSelector.MatchLabels)
	}
	if len(np.Spec.PolicyTypes) != 2 {
		t.Errorf("policy types %v", np.Spec.PolicyTypes)
	}
	if len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].From) != 2 {
		t.Fatalf("ingress = %+v", np.Spec.Ingress)
	}
	callers := np.Spec.Ingress[0].From[0].PodSelector.MatchExpressions[0]
	if callers.Key != render.LabelName || strings.Join(callers.Values, ",") != "console,order-to-cash" {
		t.Errorf("callers peer = %+v", callers)
	}
	if np.Spec.Ingress[0].From[1].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != "gw" {
		t.Errorf("ingress namespace peer = %+v", np.Spec.Ingress[0].From[1])
	}
	ports := map[int32]bool{}
	dns := false
	for _, e := range np.Spec.Egress {
		for _, p := range e.Ports {
			ports[p.Port.IntVal] = true
		}
		for _, to := range e.To {
			dns = dns || to.PodSelector != nil && to.PodSelector.MatchLabels["k8s-app"] == "kube-dns"
		}
	}
	if !dns || !ports[53] || !ports[5432] || !ports[4318] || len(ports) != 3 {
		t.Errorf("egress ports %v (dns %v), want exactly DNS 53, Postgres 5432 and OTLP 4318", ports, dns)
	}

	// Token verification: the issuer and JWKS URL in the env, the JWKS port in the egress.
	kids = renderOK(t, admitted(t, salesDomain), render.Options{TokenIssuer: "https://id.example/realms/ameide", JWKSURL: "https://id.example/realms/ameide/protocol/openid-connect/certs"})
	wantEnv(t, typed[appsv1.Deployment](t, find(t, kids, "Deployment", "sales")).Spec.Template.Spec.Containers[0], map[string]string{
		"AMEIDE_TOKEN_ISSUER": "https://id.example/realms/ameide",
		"AMEIDE_JWKS_URL":     "https://id.example/realms/ameide/protocol/openid-connect/certs",
	})
	np = typed[networkingv1.NetworkPolicy](t, find(t, kids, "NetworkPolicy", "sales"))
	jwks := false
	for _, e := range np.Spec.Egress {
		jwks = jwks || len(e.To) == 0 && e.Ports[0].Port.IntVal == 443
	}
	if !jwks {
		t.Errorf("no egress to the JWKS port 443: %+v", np.Spec.Egress)
	}
	if _, err := render.Children(admitted(t, salesDomain), render.Options{JWKSURL: "ftp://keys"}); err == nil || !strings.Contains(err.Error(), "JWKS URL") {
		t.Errorf("a JWKS URL without a known port: error %v", err)
	}

	// No callers: only the ingress namespace.
	lone := admitted(t, strings.Replace(salesDomain, "  allowedCallers: [order-to-cash, console]\n", "", 1))
	np = typed[networkingv1.NetworkPolicy](t, find(t, renderOK(t, lone, render.Options{}), "NetworkPolicy", "sales"))
	if len(np.Spec.Ingress[0].From) != 1 || np.Spec.Ingress[0].From[0].NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"] != render.DefaultIngressNamespace {
		t.Errorf("ingress without callers = %+v", np.Spec.Ingress[0].From)
	}
	if _, err := render.Children(lone, render.Options{OTelEndpoint: "not a url"}); err == nil {
		t.Errorf("an OTel endpoint that is no URL was accepted")
	}
}

func TestDomainServiceMonitorOnlyWithPrometheusOperator(t *testing.T) {
	d := admitted(t, salesDomain)
	if n := len(findKind(renderOK(t, d, render.Options{}), "ServiceMonitor")); n != 0 {
		t.Errorf("%d ServiceMonitors without the prometheus-operator API", n)
	}
	sm := find(t, renderOK(t, d, render.Options{Capabilities: render.Capabilities{PrometheusOperator: true}}), "ServiceMonitor", "sales")
	if sm.GetAPIVersion() != "monitoring.coreos.com/v1" {
		t.Errorf("apiVersion %s", sm.GetAPIVersion())
	}
	match := nested(t, sm, "spec", "selector", "matchLabels").(map[string]interface{})
	if match[render.LabelName] != "sales" || match[render.LabelComponent] != "service" {
		t.Errorf("ServiceMonitor selects %v, want the sales Service", match)
	}
}
