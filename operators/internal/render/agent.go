package render

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ameide.io/operators/api/v1alpha1"
)

// toolGrantsDir is where an Agent's tool-grant ConfigMap is mounted.
const toolGrantsDir = "/etc/ameide/tools"

// agentChildren renders an Agent: the tool-grant ConfigMap, the runtime
// Deployment (model key from its Secret), metrics Service and ServiceMonitor.
func agentChildren(a *v1alpha1.Agent, opts Options) ([]*unstructured.Unstructured, error) {
	p := newPrimitive("Agent", a, &a.Spec.Workload, 0)
	tools := sortedCopy(a.Spec.Tools)
	cm, grants, err := toolGrantConfigMap(a, p, tools)
	if err != nil {
		return nil, err
	}
	own := []corev1.EnvVar{
		{Name: "AMEIDE_AGENT_DEFINITION", Value: a.Spec.Definition.Name},
		{Name: "AMEIDE_AGENT_DEFINITION_VERSION", Value: strconv.Itoa(int(a.Spec.Definition.Version))},
		{Name: "AMEIDE_TOOL_GRANTS_FILE", Value: toolGrantsDir + "/tools.json"},
	}
	if a.Spec.ModelSecretRef != nil {
		own = append(own, secretEnv("AMEIDE_MODEL_API_KEY", *a.Spec.ModelSecretRef))
	}
	main, err := p.container(p.env(opts, own...), corev1.VolumeMount{Name: "tools", MountPath: toolGrantsDir, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	// A changed grant list rolls the pods: they read the file once at start.
	deploy, err := p.deployment(main, map[string]string{AnnotationConfigHash: shortHash(grants)}, configVolume("tools", ToolGrantConfigMapName(a)))
	if err != nil {
		return nil, err
	}
	metrics, err := p.metricsService(opts)
	if err != nil {
		return nil, err
	}
	return collect(cm, deploy, metrics, p.serviceMonitor(opts, "metrics")), nil
}

// ToolGrantConfigMapName is the ConfigMap listing an Agent's allowed methods.
func ToolGrantConfigMapName(a *v1alpha1.Agent) string { return childName(a.Name, "tools", 253) }

// toolGrantConfigMap lists the allowed SDK methods twice: tools.json (what
// the runtime reads) and tools.txt, one per line, for a reviewer's diff.
func toolGrantConfigMap(a *v1alpha1.Agent, p primitive, tools []string) (*unstructured.Unstructured, string, error) {
	doc, err := json.Marshal(map[string]interface{}{"agent": a.Name, "allowedMethods": tools})
	if err != nil {
		return nil, "", fmt.Errorf("encode tool grants: %w", err)
	}
	cm, err := toUnstructured(&corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: p.meta(ToolGrantConfigMapName(a), "tool-grants"),
		Data:       map[string]string{"tools.json": string(doc), "tools.txt": strings.Join(tools, "\n") + "\n"},
	})
	return cm, string(doc), err
}
