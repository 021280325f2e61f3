package render

import (
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"ameide.io/operators/api/v1alpha1"
)

// parametersDir is where an Integration's parameter ConfigMap is mounted.
const parametersDir = "/etc/ameide/parameters"

// integrationChildren renders an Integration: the parameter ConfigMap, the
// flow runtime Deployment and one CronJob per schedule.
func integrationChildren(in *v1alpha1.Integration, opts Options) ([]*unstructured.Unstructured, error) {
	p := newPrimitive("Integration", in, &in.Spec.Workload, 0)
	cm, err := toUnstructured(&corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: p.meta(ParametersConfigMapName(in), "parameters"),
		Data:       in.Spec.Parameters,
	})
	if err != nil {
		return nil, err
	}
	volume := configVolume("parameters", ParametersConfigMapName(in))
	env := p.env(opts, corev1.EnvVar{Name: "AMEIDE_PARAMETERS_DIR", Value: parametersDir})
	main, err := p.container(env, corev1.VolumeMount{Name: "parameters", MountPath: parametersDir, ReadOnly: true})
	if err != nil {
		return nil, err
	}
	deploy, err := p.deployment(main, map[string]string{AnnotationConfigHash: parametersHash(in.Spec.Parameters)}, volume)
	if err != nil {
		return nil, err
	}
	out := []*unstructured.Unstructured{cm, deploy}
	for _, s := range in.Spec.Schedules {
		run := append(append([]corev1.EnvVar(nil), env...),
			corev1.EnvVar{Name: "AMEIDE_RUN", Value: "flow"},
			corev1.EnvVar{Name: "AMEIDE_FLOW", Value: s.Flow},
			corev1.EnvVar{Name: "AMEIDE_SCHEDULE", Value: s.Name})
		cj, err := cronJob(p, ScheduleCronJobName(in, s), "schedule", s.Cron, run, volume)
		if err != nil {
			return nil, err
		}
		out = append(out, cj)
	}
	return out, nil
}

// ParametersConfigMapName is the ConfigMap holding an Integration's parameters.
func ParametersConfigMapName(in *v1alpha1.Integration) string {
	return childName(in.Name, "parameters", 253)
}

// ScheduleCronJobName is the CronJob of one schedule (CronJob names are at
// most 52 characters: the Job controller appends a suffix).
func ScheduleCronJobName(in *v1alpha1.Integration, s v1alpha1.IntegrationSchedule) string {
	return childName(in.Name, s.Name, 52)
}

func parametersHash(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		parts = append(parts, k, params[k])
	}
	return shortHash(strings.Join(parts, "\x00"))
}
