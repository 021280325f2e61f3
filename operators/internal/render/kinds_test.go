package render_test

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"ameide.io/operators/internal/render"
)

const orderToCash = `
apiVersion: ameide.io/v1alpha1
kind: Process
metadata: {name: order-to-cash, namespace: apps}
spec:
  image: ghcr.io/ameide/process-worker:0.1.0
  definition: {name: order-to-cash, version: 3}
  temporal: {namespace: orders}
`

func TestProcessChildren(t *testing.T) {
	pr := admitted(t, orderToCash)
	kids := renderOK(t, pr, render.Options{TemporalAddress: "temporal:7233", PlanHash: "sha256:abc", Capabilities: allCaps})
	want := "ConfigMap/order-to-cash-definition Service/order-to-cash-metrics Deployment/order-to-cash ServiceMonitor/order-to-cash"
	if got := summary(kids); got != want {
		t.Fatalf("children = %s\nwant       %s", got, want)
	}
	cm := typed[corev1.ConfigMap](t, kids[0])
	if cm.Data["definitionName"] != "order-to-cash" || cm.Data["definitionVersion"] != "3" || cm.Data["planHash"] != "sha256:abc" {
		t.Errorf("definition ConfigMap = %v", cm.Data)
	}
	dep := typed[appsv1.Deployment](t, find(t, kids, "Deployment", "order-to-cash"))
	wantEnv(t, dep.Spec.Template.Spec.Containers[0], map[string]string{
		"AMEIDE_PRIMITIVE_TYPE":             "process",
		"AMEIDE_TEMPORAL_ADDRESS":           "temporal:7233",
		"AMEIDE_TEMPORAL_NAMESPACE":         "orders",
		"AMEIDE_TASK_QUEUE":                 "order-to-cash",
		"AMEIDE_PROCESS_DEFINITION":         "order-to-cash",
		"AMEIDE_PROCESS_DEFINITION_VERSION": "3",
	})
	if _, ok := envOf(dep.Spec.Template.Spec.Containers[0])["AMEIDE_TENANT_MODE"]; ok {
		t.Errorf("a Process has AMEIDE_TENANT_MODE (a Domain's variable)")
	}
	assertHardenedPod(t, dep.Spec.Template.Spec)
	metrics := typed[corev1.Service](t, find(t, kids, "Service", "order-to-cash-metrics"))
	if metrics.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("metrics Service is not headless")
	}

	// Unknown plan hash: no key; spec address wins over the default; no CronJob.
	kids = renderOK(t, admitted(t, strings.Replace(orderToCash, "{namespace: orders}", "{namespace: orders, address: temporal-eu:7233, taskQueue: ameide-processes}", 1)), render.Options{TemporalAddress: "temporal:7233"})
	cm = typed[corev1.ConfigMap](t, find(t, kids, "ConfigMap", "order-to-cash-definition"))
	if _, ok := cm.Data["planHash"]; ok {
		t.Errorf("planHash key with no plan hash known: %v", cm.Data)
	}
	wantEnv(t, typed[appsv1.Deployment](t, find(t, kids, "Deployment", "order-to-cash")).Spec.Template.Spec.Containers[0],
		map[string]string{"AMEIDE_TEMPORAL_ADDRESS": "temporal-eu:7233", "AMEIDE_TASK_QUEUE": "ameide-processes"})
	if len(findKind(kids, "CronJob")) != 0 || len(findKind(kids, "ServiceMonitor")) != 0 {
		t.Errorf("children without schedule or prometheus: %s", summary(kids))
	}
}

func TestProcessCompensationCronJob(t *testing.T) {
	kids := renderOK(t, admitted(t, orderToCash+"  compensationSchedule: \"*/15 * * * *\"\n"), render.Options{})
	cj := typed[batchv1.CronJob](t, find(t, kids, "CronJob", "order-to-cash-compensation"))
	if cj.Spec.Schedule != "*/15 * * * *" || cj.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		t.Errorf("cronjob spec schedule %q policy %s", cj.Spec.Schedule, cj.Spec.ConcurrencyPolicy)
	}
	pod := cj.Spec.JobTemplate.Spec.Template.Spec
	wantEnv(t, pod.Containers[0], map[string]string{"AMEIDE_RUN": "scheduled-compensation", "AMEIDE_PROCESS_DEFINITION": "order-to-cash"})
	assertHardenedPod(t, pod)
}

const helperAgent = `
apiVersion: ameide.io/v1alpha1
kind: Agent
metadata: {name: order-helper, namespace: apps}
spec:
  image: ghcr.io/ameide/agent:0.1.0
  definition: {name: order-helper, version: 2}
  modelSecretRef: {name: openai, key: api-key}
  tools:
  - ameide.sales.v1.OrderService/GetOrder
  - ameide.sales.v1.CustomerService/GetCustomer
`

func TestAgentChildren(t *testing.T) {
	kids := renderOK(t, admitted(t, helperAgent), render.Options{Capabilities: allCaps})
	want := "ConfigMap/order-helper-tools Service/order-helper-metrics Deployment/order-helper ServiceMonitor/order-helper"
	if got := summary(kids); got != want {
		t.Fatalf("children = %s\nwant       %s", got, want)
	}
	cm := typed[corev1.ConfigMap](t, kids[0])
	var grants struct {
		Agent          string   `json:"agent"`
		AllowedMethods []string `json:"allowedMethods"`
	}
	if err := json.Unmarshal([]byte(cm.Data["tools.json"]), &grants); err != nil {
		t.Fatalf("tools.json: %v", err)
	}
	if strings.Join(grants.AllowedMethods, " ") != "ameide.sales.v1.CustomerService/GetCustomer ameide.sales.v1.OrderService/GetOrder" {
		t.Errorf("allowed methods = %v, want both, sorted", grants.AllowedMethods)
	}
	if cm.Data["tools.txt"] != "ameide.sales.v1.CustomerService/GetCustomer\nameide.sales.v1.OrderService/GetOrder\n" {
		t.Errorf("tools.txt = %q", cm.Data["tools.txt"])
	}
	dep := typed[appsv1.Deployment](t, find(t, kids, "Deployment", "order-helper"))
	c := dep.Spec.Template.Spec.Containers[0]
	wantEnv(t, c, map[string]string{"AMEIDE_MODEL_API_KEY": "secret:openai/api-key", "AMEIDE_TOOL_GRANTS_FILE": "/etc/ameide/tools/tools.json", "AMEIDE_AGENT_DEFINITION": "order-helper"})
	mounted := false
	for _, v := range dep.Spec.Template.Spec.Volumes {
		mounted = mounted || v.ConfigMap != nil && v.ConfigMap.Name == "order-helper-tools"
	}
	if !mounted {
		t.Errorf("tool-grant ConfigMap is not mounted")
	}
	// Granting another method rolls the pods.
	more := admitted(t, helperAgent+"  - ameide.sales.v1.OrderService/ListOrders\n")
	dep2 := typed[appsv1.Deployment](t, find(t, renderOK(t, more, render.Options{}), "Deployment", "order-helper"))
	if dep.Spec.Template.Annotations[render.AnnotationConfigHash] == dep2.Spec.Template.Annotations[render.AnnotationConfigHash] {
		t.Errorf("config hash unchanged by a new tool grant")
	}
	noKey := admitted(t, strings.Replace(helperAgent, "  modelSecretRef: {name: openai, key: api-key}\n", "", 1))
	c = typed[appsv1.Deployment](t, find(t, renderOK(t, noKey, render.Options{}), "Deployment", "order-helper")).Spec.Template.Spec.Containers[0]
	if _, ok := envOf(c)["AMEIDE_MODEL_API_KEY"]; ok {
		t.Errorf("model key variable without modelSecretRef")
	}
}

const console = `
apiVersion: ameide.io/v1alpha1
kind: UISurface
metadata: {name: console, namespace: apps}
spec:
  image: ghcr.io/ameide/console:0.1.0
  hostnames: [console.example, admin.example]
  paths: [/, /admin]
  gateway: {name: ameide, namespace: ingress}
  uses: [sales, order-to-cash]
  auth: {clientId: ameide-console, scopes: [openid, profile]}
  autoscaling: {maxReplicas: 4}
`

func TestUISurfaceChildren(t *testing.T) {
	kids := renderOK(t, admitted(t, console), render.Options{Capabilities: allCaps})
	want := "Service/console Deployment/console HorizontalPodAutoscaler/console HTTPRoute/console"
	if got := summary(kids); got != want {
		t.Fatalf("children = %s\nwant       %s", got, want)
	}
	dep := typed[appsv1.Deployment](t, kids[1])
	wantEnv(t, dep.Spec.Template.Spec.Containers[0], map[string]string{
		"AMEIDE_SALES_URL":         "http://sales.apps.svc:8080",
		"AMEIDE_ORDER_TO_CASH_URL": "http://order-to-cash.apps.svc:8080",
		"AMEIDE_AUTH_CLIENT_ID":    "ameide-console",
		"AMEIDE_AUTH_SCOPES":       "openid profile",
	})
	if dep.Spec.Replicas != nil {
		t.Errorf("replicas set next to an HPA")
	}
	route := kids[3]
	if route.GetAPIVersion() != "gateway.networking.k8s.io/v1" {
		t.Errorf("HTTPRoute apiVersion %s", route.GetAPIVersion())
	}
	parent := nested(t, route, "spec", "parentRefs").([]interface{})[0].(map[string]interface{})
	if parent["name"] != "ameide" || parent["namespace"] != "ingress" || parent["kind"] != "Gateway" {
		t.Errorf("parentRef = %v", parent)
	}
	hosts := nested(t, route, "spec", "hostnames").([]interface{})
	if len(hosts) != 2 || hosts[0] != "console.example" || hosts[1] != "admin.example" {
		t.Errorf("hostnames = %v", hosts)
	}
	rule := nested(t, route, "spec", "rules").([]interface{})[0].(map[string]interface{})
	var prefixes []string
	for _, m := range rule["matches"].([]interface{}) {
		path := m.(map[string]interface{})["path"].(map[string]interface{})
		if path["type"] != "PathPrefix" {
			t.Errorf("match type %v", path["type"])
		}
		prefixes = append(prefixes, path["value"].(string))
	}
	if strings.Join(prefixes, " ") != "/ /admin" {
		t.Errorf("path prefixes = %v", prefixes)
	}
	backend := rule["backendRefs"].([]interface{})[0].(map[string]interface{})
	if backend["name"] != "console" || backend["port"] != int64(render.ServicePort) {
		t.Errorf("backend = %v", backend)
	}
	if n := len(findKind(renderOK(t, admitted(t, console), render.Options{}), "HTTPRoute")); n != 0 {
		t.Errorf("%d HTTPRoutes without the Gateway API", n)
	}
}

func TestProjectionChildren(t *testing.T) {
	kids := renderOK(t, admitted(t, `
apiVersion: ameide.io/v1alpha1
kind: Projection
metadata: {name: order-totals, namespace: apps}
spec:
  image: ghcr.io/ameide/projections:0.1.0
  definition: {name: order-totals, version: 1}
  storage: {name: read-models, key: url}
`), render.Options{Capabilities: allCaps, TokenIssuer: "https://id.example", JWKSURL: "https://id.example/certs"})
	want := "Service/order-totals Deployment/order-totals ServiceMonitor/order-totals"
	if got := summary(kids); got != want {
		t.Fatalf("children = %s\nwant       %s", got, want)
	}
	dep := typed[appsv1.Deployment](t, kids[1])
	wantEnv(t, dep.Spec.Template.Spec.Containers[0], map[string]string{
		"AMEIDE_POSTGRES_URL":          "secret:read-models/url",
		"AMEIDE_PROJECTION_DEFINITION": "order-totals",
		"AMEIDE_MAX_LAG_SECONDS":       "60",
		"AMEIDE_PRIMITIVE_TYPE":        "projection",
		"AMEIDE_TOKEN_ISSUER":          "https://id.example",
		"AMEIDE_JWKS_URL":              "https://id.example/certs",
	})
}

const crmSync = `
apiVersion: ameide.io/v1alpha1
kind: Integration
metadata: {name: crm-sync, namespace: apps}
spec:
  image: ghcr.io/ameide/integrations:0.1.0
  parameters: {crmBaseUrl: "https://crm.example", batchSize: "100"}
  schedules:
  - {name: nightly, cron: "0 2 * * *", flow: import-accounts}
  - {name: hourly, cron: "0 * * * *", flow: push-orders}
`

func TestIntegrationChildren(t *testing.T) {
	kids := renderOK(t, admitted(t, crmSync), render.Options{})
	want := "ConfigMap/crm-sync-parameters Deployment/crm-sync CronJob/crm-sync-hourly CronJob/crm-sync-nightly"
	if got := summary(kids); got != want {
		t.Fatalf("children = %s\nwant       %s", got, want)
	}
	cm := typed[corev1.ConfigMap](t, kids[0])
	if cm.Data["crmBaseUrl"] != "https://crm.example" || cm.Data["batchSize"] != "100" {
		t.Errorf("parameters = %v", cm.Data)
	}
	nightly := typed[batchv1.CronJob](t, find(t, kids, "CronJob", "crm-sync-nightly"))
	if nightly.Spec.Schedule != "0 2 * * *" {
		t.Errorf("schedule %q", nightly.Spec.Schedule)
	}
	pod := nightly.Spec.JobTemplate.Spec.Template.Spec
	wantEnv(t, pod.Containers[0], map[string]string{"AMEIDE_FLOW": "import-accounts", "AMEIDE_SCHEDULE": "nightly", "AMEIDE_PARAMETERS_DIR": "/etc/ameide/parameters"})
	mounted := false
	for _, m := range pod.Containers[0].VolumeMounts {
		mounted = mounted || m.MountPath == "/etc/ameide/parameters"
	}
	if !mounted {
		t.Errorf("scheduled run does not mount the parameters")
	}
	dep := typed[appsv1.Deployment](t, kids[1])
	changed := admitted(t, strings.Replace(crmSync, `batchSize: "100"`, `batchSize: "200"`, 1))
	dep2 := typed[appsv1.Deployment](t, find(t, renderOK(t, changed, render.Options{}), "Deployment", "crm-sync"))
	if dep.Spec.Template.Annotations[render.AnnotationConfigHash] == dep2.Spec.Template.Annotations[render.AnnotationConfigHash] {
		t.Errorf("config hash unchanged by a parameter change")
	}
}

func TestTenantNamespacesPerSKU(t *testing.T) {
	for _, c := range []struct {
		sku, want string
	}{
		{"Shared", "tenant-acme-dev-cust tenant-acme-prod-cust"},
		{"Namespace", "tenant-acme-dev-base tenant-acme-dev-cust tenant-acme-prod-base tenant-acme-prod-cust"},
		{"Private", "tenant-acme-dev-base tenant-acme-dev-cust tenant-acme-prod-base tenant-acme-prod-cust"},
	} {
		t.Run(c.sku, func(t *testing.T) {
			kids := renderOK(t, admitted(t, `
apiVersion: ameide.io/v1alpha1
kind: AmeideTenant
metadata: {name: acme}
spec: {id: acme, sku: `+c.sku+`, environments: [dev, prod], quota: {cpu: "2", memory: 4Gi, pods: 20}}
`), render.Options{})
			var names []string
			for _, ns := range findKind(kids, "Namespace") {
				names = append(names, ns.GetName())
			}
			if got := strings.Join(names, " "); got != c.want {
				t.Fatalf("namespaces = %s, want %s", got, c.want)
			}
			n := len(names)
			if len(kids) != 3*n || len(findKind(kids, "ResourceQuota")) != n || len(findKind(kids, "NetworkPolicy")) != n {
				t.Fatalf("children = %s, want a quota and a policy per namespace", summary(kids))
			}
			for i, k := range kids[:n] {
				if k.GetKind() != "Namespace" {
					t.Fatalf("child %d is %s; namespaces come first", i, k.GetKind())
				}
				ns := typed[corev1.Namespace](t, k)
				role := ns.Name[strings.LastIndex(ns.Name, "-")+1:]
				env := strings.Split(ns.Name, "-")[2]
				if ns.Labels[render.LabelTenant] != "acme" || ns.Labels[render.LabelEnvironment] != env ||
					ns.Labels[render.LabelNamespaceRole] != role || ns.Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
					t.Errorf("namespace %s labels %v", ns.Name, ns.Labels)
				}
			}
			for _, k := range findKind(kids, "NetworkPolicy") {
				np := typed[networkingv1.NetworkPolicy](t, k)
				if len(np.Spec.PodSelector.MatchLabels)+len(np.Spec.PodSelector.MatchExpressions) != 0 || len(np.Spec.PolicyTypes) != 2 ||
					len(np.Spec.Ingress) != 0 || len(np.Spec.Egress) != 1 || np.Spec.Egress[0].Ports[0].Port.IntVal != 53 {
					t.Errorf("%s/%s is not default-deny with DNS egress: %+v", np.Namespace, np.Name, np.Spec)
				}
			}
			for _, k := range findKind(kids, "ResourceQuota") {
				q := typed[corev1.ResourceQuota](t, k)
				if q.Spec.Hard.Pods().Value() != 20 || q.Spec.Hard.Name(corev1.ResourceRequestsCPU, "").String() != "2" ||
					q.Spec.Hard.Name(corev1.ResourceRequestsMemory, "").String() != "4Gi" {
					t.Errorf("%s quota = %v", q.Namespace, q.Spec.Hard)
				}
			}
		})
	}
}
