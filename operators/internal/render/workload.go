package render

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"ameide.io/operators/api/v1alpha1"
)

// What every workload shares. Everything a pod of a primitive gets
// (environment, probes, resources, security, volumes, sidecars) is decided
// in this file; the per-kind files only add their own variables, volumes
// and children.
const (
	// ServicePort is the port of every primitive's Service, whatever its
	// container listens on (the Service targets the named container port),
	// so a caller can reach any primitive at http://<name>.<ns>.svc:8080
	// without reading the callee's spec.
	ServicePort = 8080
	// DefaultIngressNamespace is where the platform's ingress (Gateway)
	// pods run when Options.IngressNamespace is empty.
	DefaultIngressNamespace = "ameide-ingress"
	// LabelVersion carries a Domain's spec.version on its migration Job and
	// the Deployment's pod template (an annotation there).
	LabelVersion = "ameide.io/version"
	// AnnotationConfigHash on a pod template changes with the ConfigMaps
	// its pods mount, so a change rolls the Deployment.
	AnnotationConfigHash = "ameide.io/config-hash"

	containerName = "primitive"
	portName      = "http"
	// The TS images run as the image's `node` user (uid/gid 1000).
	runAsID = int64(1000)
)

// primitive is what the shared builders need to know about the CR.
type primitive struct {
	kind      string // "Domain", ...
	name      string
	namespace string
	workload  *v1alpha1.Workload
	port      int32 // container port of RPCs and probes
}

func newPrimitive(kind string, meta metav1.Object, w *v1alpha1.Workload, port int32) primitive {
	if port == 0 {
		port = ServicePort
	}
	return primitive{kind: kind, name: meta.GetName(), namespace: meta.GetNamespace(), workload: w, port: port}
}

// labels are the labels of every child of p; component says which part it is.
func (p primitive) labels(component string) map[string]string {
	l := map[string]string{
		LabelManagedBy:              ManagedBy,
		LabelKind:                   p.kind,
		LabelName:                   p.name,
		LabelComponent:              component,
		"app.kubernetes.io/name":    p.name,
		"app.kubernetes.io/part-of": "ameide",
	}
	if p.workload != nil && p.workload.Tenant != "" {
		l[LabelTenant] = p.workload.Tenant
	}
	return l
}

// selector is the immutable subset of labels a Deployment or Service selects on.
func (p primitive) selector(component string) map[string]string {
	return map[string]string{LabelKind: p.kind, LabelName: p.name, LabelComponent: component}
}

func (p primitive) meta(name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: p.namespace, Labels: p.labels(component)}
}

// env is the standard environment, then the kind's own variables, then
// spec.env sorted by name (the schema refuses AMEIDE_* and OTEL_* there,
// so nothing a user writes can shadow what the operator sets).
func (p primitive) env(opts Options, own ...corev1.EnvVar) []corev1.EnvVar {
	out := []corev1.EnvVar{
		{Name: "AMEIDE_PRIMITIVE_TYPE", Value: strings.ToLower(p.kind)},
		{Name: "AMEIDE_PRIMITIVE_NAME", Value: p.name},
		// `ameide serve` listens on 127.0.0.1 unless told otherwise, which
		// the kubelet's probes and the Service cannot reach.
		{Name: "AMEIDE_HOST", Value: "0.0.0.0"},
		{Name: "AMEIDE_PORT", Value: strconv.Itoa(int(p.port))},
	}
	if p.workload != nil && p.workload.Tenant != "" {
		out = append(out, corev1.EnvVar{Name: "AMEIDE_TENANT", Value: p.workload.Tenant})
	}
	if opts.OTelEndpoint != "" {
		out = append(out, corev1.EnvVar{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: opts.OTelEndpoint})
	}
	out = append(out, corev1.EnvVar{Name: "OTEL_SERVICE_NAME", Value: p.name},
		corev1.EnvVar{Name: "OTEL_RESOURCE_ATTRIBUTES", Value: "k8s.namespace.name=" + p.namespace + ",ameide.primitive.type=" + strings.ToLower(p.kind)})
	out = append(out, own...)
	if p.workload != nil {
		names := make([]string, 0, len(p.workload.Env))
		for k := range p.workload.Env {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			out = append(out, corev1.EnvVar{Name: k, Value: p.workload.Env[k]})
		}
	}
	return out
}

// tokenEnv is how an RPC primitive verifies bearer tokens.
func tokenEnv(opts Options) []corev1.EnvVar {
	var out []corev1.EnvVar
	if opts.TokenIssuer != "" {
		out = append(out, corev1.EnvVar{Name: "AMEIDE_TOKEN_ISSUER", Value: opts.TokenIssuer})
	}
	if opts.JWKSURL != "" {
		out = append(out, corev1.EnvVar{Name: "AMEIDE_JWKS_URL", Value: opts.JWKSURL})
	}
	return out
}

func secretEnv(name string, ref v1alpha1.SecretKeyRef) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: ref.Key,
	}}}
}

func (p primitive) resources() (corev1.ResourceRequirements, error) {
	r := p.workload.Resources
	req := corev1.ResourceList{}
	lim := corev1.ResourceList{}
	for _, q := range []struct {
		field string
		value string
		list  corev1.ResourceList
		name  corev1.ResourceName
	}{
		{"cpuRequest", r.CPURequest, req, corev1.ResourceCPU},
		{"memoryRequest", r.MemoryRequest, req, corev1.ResourceMemory},
		{"cpuLimit", r.CPULimit, lim, corev1.ResourceCPU},
		{"memoryLimit", r.MemoryLimit, lim, corev1.ResourceMemory},
	} {
		if q.value == "" {
			continue
		}
		v, err := resource.ParseQuantity(q.value)
		if err != nil {
			return corev1.ResourceRequirements{}, fmt.Errorf("spec.resources.%s %q: %w", q.field, q.value, err)
		}
		q.list[q.name] = v
	}
	out := corev1.ResourceRequirements{}
	if len(req) > 0 {
		out.Requests = req
	}
	if len(lim) > 0 {
		out.Limits = lim
	}
	return out, nil
}

// container is the primitive's main container: the image's own entrypoint
// (`ameide serve <primitive>`), probes on /healthz and /readyz of the TS
// host, a read-only root filesystem with a writable /tmp.
func (p primitive) container(env []corev1.EnvVar, mounts ...corev1.VolumeMount) (corev1.Container, error) {
	res, err := p.resources()
	if err != nil {
		return corev1.Container{}, err
	}
	probe := func(path string, period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString(portName)}},
			PeriodSeconds:    period,
			TimeoutSeconds:   3,
			FailureThreshold: failures,
		}
	}
	return corev1.Container{
		Name:            containerName,
		Image:           p.workload.Image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Ports:           []corev1.ContainerPort{{Name: portName, ContainerPort: p.port, Protocol: corev1.ProtocolTCP}},
		Env:             env,
		Resources:       res,
		// The host answers /healthz while the process runs and /readyz once
		// its database (and Temporal) answer; 503 while draining. The start
		// probe gives a cold start (schema owners migrate first) two minutes.
		StartupProbe:    probe("/healthz", 2, 60),
		LivenessProbe:   probe("/healthz", 10, 3),
		ReadinessProbe:  probe("/readyz", 5, 2),
		SecurityContext: containerSecurity(),
		VolumeMounts:    append([]corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}}, mounts...),
	}, nil
}

func containerSecurity() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		RunAsNonRoot:             ptr.To(true),
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// podSpec is the one place pod specs are assembled: the main container,
// the shared volumes and the pod security context. No sidecar is injected
// today (telemetry leaves the process over OTLP); one would be added here
// so every workload, Job and CronJob gets it alike.
func podSpec(main corev1.Container, restart corev1.RestartPolicy, volumes ...corev1.Volume) corev1.PodSpec {
	return corev1.PodSpec{
		Containers:    []corev1.Container{main},
		RestartPolicy: restart,
		// Primitives talk to their APIs over the SDK, never to Kubernetes.
		AutomountServiceAccountToken: ptr.To(false),
		EnableServiceLinks:           ptr.To(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			RunAsUser:      ptr.To(runAsID),
			RunAsGroup:     ptr.To(runAsID),
			FSGroup:        ptr.To(runAsID),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Volumes: append([]corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}, volumes...),
	}
}

// configVolume mounts a ConfigMap child read-only.
func configVolume(name, configMap string) corev1.Volume {
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: configMap},
	}}}
}

// deployment is the workload Deployment; replicas are left to the HPA when
// spec.autoscaling is set (so apply and the HPA never fight over them).
func (p primitive) deployment(main corev1.Container, annotations map[string]string, volumes ...corev1.Volume) (*unstructured.Unstructured, error) {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: p.meta(p.name, ComponentWorkload),
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: p.selector(ComponentWorkload)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: p.labels(ComponentWorkload), Annotations: annotations},
				Spec:       podSpec(main, corev1.RestartPolicyAlways, volumes...),
			},
		},
	}
	if p.workload.Autoscaling == nil {
		d.Spec.Replicas = ptr.To(ptr.Deref(p.workload.Replicas, 1))
	}
	u, err := toUnstructured(d)
	if err != nil {
		return nil, err
	}
	// The zero strategy would claim spec.strategy for our field manager
	// without saying anything; the server's default (RollingUpdate) stands.
	unstructured.RemoveNestedField(u.Object, "spec", "strategy")
	return u, nil
}

// service exposes the workload's named port on ServicePort.
func (p primitive) service(name, component string, headless bool) (*unstructured.Unstructured, error) {
	s := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: p.meta(name, component),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: p.selector(ComponentWorkload),
			Ports: []corev1.ServicePort{{
				Name: portName, Port: ServicePort, TargetPort: intstr.FromString(portName), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
	if headless {
		s.Spec.ClusterIP = corev1.ClusterIPNone
	}
	return toUnstructured(s)
}

// hpa is nil when spec.autoscaling is not set.
func (p primitive) hpa() (*unstructured.Unstructured, error) {
	a := p.workload.Autoscaling
	if a == nil {
		return nil, nil
	}
	h := &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: p.meta(p.name, "autoscaler"),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: p.name},
			MinReplicas:    ptr.To(max(a.MinReplicas, 1)),
			MaxReplicas:    a.MaxReplicas,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(a.TargetCPUUtilization)},
				},
			}},
		},
	}
	return toUnstructured(h)
}

// serviceMonitor scrapes /metrics on the named port of the Service labelled
// with component serviceComponent; nil without the prometheus-operator API.
func (p primitive) serviceMonitor(opts Options, serviceComponent string) *unstructured.Unstructured {
	if !opts.Capabilities.PrometheusOperator {
		return nil
	}
	match := map[string]interface{}{}
	for k, v := range p.selector(serviceComponent) {
		match[k] = v
	}
	return crdObject("monitoring.coreos.com/v1", "ServiceMonitor", p.namespace, p.name, p.labels("monitoring"), map[string]interface{}{
		"selector":  map[string]interface{}{"matchLabels": match},
		"endpoints": []interface{}{map[string]interface{}{"port": portName, "path": "/metrics", "interval": "30s"}},
	})
}

// metricsService is the headless Service a ServiceMonitor needs for a
// workload nothing else calls (a Process worker, an Agent runtime).
func (p primitive) metricsService(opts Options) (*unstructured.Unstructured, error) {
	if !opts.Capabilities.PrometheusOperator {
		return nil, nil
	}
	return p.service(p.name+"-metrics", "metrics", true)
}

// collect drops the nil children of capabilities the cluster lacks.
func collect(objs ...*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		if o != nil {
			out = append(out, o)
		}
	}
	return out
}

// envName turns a primitive name into the middle of a variable name:
// "order-to-cash" → "ORDER_TO_CASH".
func envName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
}
