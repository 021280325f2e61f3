package render

import (
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"ameide.io/operators/api/v1alpha1"
)

// processChildren renders a Process: the definition ConfigMap, the Temporal
// worker Deployment, its metrics Service and ServiceMonitor, and the
// scheduled-compensation CronJob when spec.compensationSchedule is set.
// Whether the ProcessDefinition is published and the Temporal namespace
// exists is the reconciler's check (Ready=False otherwise), not the render's.
func processChildren(pr *v1alpha1.Process, opts Options) ([]*unstructured.Unstructured, error) {
	p := newPrimitive("Process", pr, &pr.Spec.Workload, 0)
	cm, err := definitionConfigMap(pr, p, opts)
	if err != nil {
		return nil, err
	}
	env := p.env(opts, processEnv(pr, opts)...)
	main, err := p.container(env)
	if err != nil {
		return nil, err
	}
	deploy, err := p.deployment(main, nil)
	if err != nil {
		return nil, err
	}
	metrics, err := p.metricsService(opts)
	if err != nil {
		return nil, err
	}
	cron, err := compensationCronJob(pr, p, env)
	if err != nil {
		return nil, err
	}
	return collect(cm, deploy, metrics, p.serviceMonitor(opts, "metrics"), cron), nil
}

// DefinitionConfigMapName is the ConfigMap linking a Process to its ProcessDefinition.
func DefinitionConfigMapName(pr *v1alpha1.Process) string {
	return childName(pr.Name, "definition", 253)
}

// TaskQueue is spec.temporal.taskQueue, or the Process's name.
func TaskQueue(pr *v1alpha1.Process) string {
	if pr.Spec.Temporal.TaskQueue != "" {
		return pr.Spec.Temporal.TaskQueue
	}
	return pr.Name
}

func temporalAddress(pr *v1alpha1.Process, opts Options) string {
	if pr.Spec.Temporal.Address != "" {
		return pr.Spec.Temporal.Address
	}
	return opts.TemporalAddress
}

// processEnv carries what `ameide serve process-worker` reads (Temporal
// address, namespace, task queue) and the definition it runs.
func processEnv(pr *v1alpha1.Process, opts Options) []corev1.EnvVar {
	env := []corev1.EnvVar{}
	if a := temporalAddress(pr, opts); a != "" {
		env = append(env, corev1.EnvVar{Name: "AMEIDE_TEMPORAL_ADDRESS", Value: a})
	}
	env = append(env,
		corev1.EnvVar{Name: "AMEIDE_TEMPORAL_NAMESPACE", Value: pr.Spec.Temporal.Namespace},
		corev1.EnvVar{Name: "AMEIDE_TASK_QUEUE", Value: TaskQueue(pr)},
		corev1.EnvVar{Name: "AMEIDE_PROCESS_DEFINITION", Value: pr.Spec.Definition.Name},
		corev1.EnvVar{Name: "AMEIDE_PROCESS_DEFINITION_VERSION", Value: strconv.Itoa(int(pr.Spec.Definition.Version))},
	)
	if opts.TransformationURL != "" {
		env = append(env, corev1.EnvVar{Name: "AMEIDE_TRANSFORMATION_URL", Value: opts.TransformationURL})
	}
	return env
}

func definitionConfigMap(pr *v1alpha1.Process, p primitive, opts Options) (*unstructured.Unstructured, error) {
	data := map[string]string{
		"definitionName":    pr.Spec.Definition.Name,
		"definitionVersion": strconv.Itoa(int(pr.Spec.Definition.Version)),
		"taskQueue":         TaskQueue(pr),
		"temporalNamespace": pr.Spec.Temporal.Namespace,
	}
	// Unknown until the reconciler has asked the Transformation Domain; an
	// absent key, never a guessed hash.
	if opts.PlanHash != "" {
		data["planHash"] = opts.PlanHash
	}
	return toUnstructured(&corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: p.meta(DefinitionConfigMapName(pr), "definition"),
		Data:       data,
	})
}

// compensationCronJob runs the worker image once per schedule with
// AMEIDE_RUN=scheduled-compensation (the worker's environment otherwise),
// one run at a time; nil without spec.compensationSchedule.
func compensationCronJob(pr *v1alpha1.Process, p primitive, env []corev1.EnvVar) (*unstructured.Unstructured, error) {
	if pr.Spec.CompensationSchedule == "" {
		return nil, nil
	}
	run := append(append([]corev1.EnvVar(nil), env...), corev1.EnvVar{Name: "AMEIDE_RUN", Value: "scheduled-compensation"})
	return cronJob(p, childName(pr.Name, "compensation", 52), "compensation", pr.Spec.CompensationSchedule, run)
}

// cronJob is a CronJob of the primitive's image without probes (a run ends).
func cronJob(p primitive, name, component, schedule string, env []corev1.EnvVar, volumes ...corev1.Volume) (*unstructured.Unstructured, error) {
	c, err := p.container(env)
	if err != nil {
		return nil, err
	}
	c.Ports, c.StartupProbe, c.LivenessProbe, c.ReadinessProbe = nil, nil, nil, nil
	if len(volumes) > 0 {
		for _, v := range volumes {
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: v.Name, MountPath: "/etc/ameide/" + v.Name, ReadOnly: true})
		}
	}
	labels := p.labels(component)
	cj := &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: p.namespace, Labels: labels},
		Spec: batchv1.CronJobSpec{
			Schedule:                   schedule,
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			SuccessfulJobsHistoryLimit: ptr.To(int32(3)),
			FailedJobsHistoryLimit:     ptr.To(int32(3)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: batchv1.JobSpec{
					BackoffLimit: ptr.To(int32(1)),
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec:       podSpec(c, corev1.RestartPolicyNever, volumes...),
					},
				},
			},
		},
	}
	return toUnstructured(cj)
}
