package render

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ameide.io/operators/api/v1alpha1"
)

// uiSurfaceChildren renders a UISurface: Deployment, Service, HPA (with
// spec.autoscaling) and, with Gateway API, the HTTPRoute from the Gateway.
func uiSurfaceChildren(s *v1alpha1.UISurface, opts Options) ([]*unstructured.Unstructured, error) {
	p := newPrimitive("UISurface", s, &s.Spec.Workload, s.Spec.Port)
	var own []corev1.EnvVar
	for _, used := range sortedCopy(s.Spec.Uses) {
		own = append(own, corev1.EnvVar{
			Name:  "AMEIDE_" + envName(used) + "_URL",
			Value: fmt.Sprintf("http://%s.%s.svc:%d", used, p.namespace, ServicePort),
		})
	}
	if s.Spec.Auth != nil {
		own = append(own, corev1.EnvVar{Name: "AMEIDE_AUTH_CLIENT_ID", Value: s.Spec.Auth.ClientID})
		if len(s.Spec.Auth.Scopes) > 0 {
			// OAuth's scope parameter: space-separated.
			own = append(own, corev1.EnvVar{Name: "AMEIDE_AUTH_SCOPES", Value: strings.Join(sortedCopy(s.Spec.Auth.Scopes), " ")})
		}
	}
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
	return collect(svc, deploy, hpa, httpRoute(s, p, opts)), nil
}

// httpRoute attaches to spec.gateway and sends the hostnames' path
// prefixes to the Service; nil without the Gateway API.
func httpRoute(s *v1alpha1.UISurface, p primitive, opts Options) *unstructured.Unstructured {
	if !opts.Capabilities.GatewayAPI {
		return nil
	}
	parent := map[string]interface{}{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": s.Spec.Gateway.Name}
	if s.Spec.Gateway.Namespace != "" {
		parent["namespace"] = s.Spec.Gateway.Namespace
	}
	paths := s.Spec.Paths
	if len(paths) == 0 {
		paths = []string{"/"}
	}
	matches := make([]interface{}, 0, len(paths))
	for _, path := range paths {
		matches = append(matches, map[string]interface{}{"path": map[string]interface{}{"type": "PathPrefix", "value": path}})
	}
	hostnames := make([]interface{}, 0, len(s.Spec.Hostnames))
	for _, h := range s.Spec.Hostnames {
		hostnames = append(hostnames, h)
	}
	return crdObject("gateway.networking.k8s.io/v1", "HTTPRoute", p.namespace, p.name, p.labels("route"), map[string]interface{}{
		"parentRefs": []interface{}{parent},
		"hostnames":  hostnames,
		"rules": []interface{}{map[string]interface{}{
			"matches":     matches,
			"backendRefs": []interface{}{map[string]interface{}{"name": p.name, "port": int64(ServicePort)}},
		}},
	})
}
