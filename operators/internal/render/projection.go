package render

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ameide.io/operators/api/v1alpha1"
)

// projectionChildren renders a Projection: the read-model Deployment (its
// database URL from spec.storage), Service and ServiceMonitor. Ready and
// Degraded come from status.lag, which the workload reports; that is the
// reconciler's.
func projectionChildren(pj *v1alpha1.Projection, opts Options) ([]*unstructured.Unstructured, error) {
	p := newPrimitive("Projection", pj, &pj.Spec.Workload, 0)
	own := []corev1.EnvVar{
		{Name: "AMEIDE_PROJECTION_DEFINITION", Value: pj.Spec.Definition.Name},
		{Name: "AMEIDE_PROJECTION_DEFINITION_VERSION", Value: strconv.Itoa(int(pj.Spec.Definition.Version))},
		{Name: "AMEIDE_MAX_LAG_SECONDS", Value: strconv.Itoa(int(pj.Spec.MaxLagSeconds))},
		secretEnv("AMEIDE_POSTGRES_URL", pj.Spec.Storage),
	}
	own = append(own, tokenEnv(opts)...)
	main, err := p.container(p.env(opts, own...))
	if err != nil {
		return nil, err
	}
	deploy, err := p.deployment(main, nil)
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
	return collect(svc, deploy, hpa, p.serviceMonitor(opts, "service")), nil
}
