// Package validate admits an ameide.io custom resource offline the way the
// API server admits it on create: unknown fields refused (strict field
// validation), defaults applied from the structural schema, then the
// OpenAPI schema (types, enums, patterns, bounds), list-type invariants and
// the CEL x-kubernetes-validations, all from the embedded CRDs and all
// through the apiextensions-apiserver library the API server itself runs.
// Nothing here re-implements a schema rule: a rule added to the Go types
// reaches this package through controller-gen and the embedded YAML.
package validate

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apihelpers"
	apiextensionsinternal "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/operation"
	metavalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"ameide.io/operators/api/v1alpha1"
	"ameide.io/operators/config/crd"
)

// Validator admits the kinds of the embedded CRDs. It is safe for
// concurrent use: everything in it is read-only after New.
type Validator struct {
	kinds  map[schema.GroupVersionKind]*kindSchema
	scheme *runtime.Scheme
}

// kindSchema is what the API server builds per served CRD version
// (customresource_handler.go: structural schema with pruned defaults, the
// OpenAPI schema validator, the CEL validator).
type kindSchema struct {
	gk         schema.GroupKind
	namespaced bool
	structural *structuralschema.Structural
	openAPI    apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

// New reads the CRDs embedded in package crd.
func New() (*Validator, error) {
	return NewFromFS(crd.Files)
}

// NewFromFS reads every *.yaml CRD at the root of files.
func NewFromFS(files fs.FS) (*Validator, error) {
	names, err := fs.Glob(files, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list CRDs: %w", err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no CRD files (*.yaml) to validate against")
	}
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return nil, fmt.Errorf("register ameide.io/v1alpha1 types: %w", err)
	}
	v := &Validator{kinds: map[schema.GroupVersionKind]*kindSchema{}, scheme: scheme}
	for _, name := range names {
		raw, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("read CRD %s: %w", name, err)
		}
		var def apiextensionsv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(raw, &def); err != nil {
			return nil, fmt.Errorf("decode CRD %s: %w", name, err)
		}
		if err := v.add(&def); err != nil {
			return nil, fmt.Errorf("CRD %s: %w", name, err)
		}
	}
	return v, nil
}

func (v *Validator) add(def *apiextensionsv1.CustomResourceDefinition) error {
	for _, version := range def.Spec.Versions {
		if !version.Served {
			continue
		}
		val, err := apihelpers.GetSchemaForVersion(def, version.Name)
		if err != nil || val == nil {
			return fmt.Errorf("version %s has no schema: %v", version.Name, err)
		}
		internal := &apiextensionsinternal.CustomResourceValidation{}
		if err := apiextensionsv1.Convert_v1_CustomResourceValidation_To_apiextensions_CustomResourceValidation(val, internal, nil); err != nil {
			return fmt.Errorf("convert schema of %s: %w", version.Name, err)
		}
		structural, err := structuralschema.NewStructural(internal.OpenAPIV3Schema)
		if err != nil {
			return fmt.Errorf("schema of %s is not structural: %w", version.Name, err)
		}
		structural = structural.DeepCopy()
		if err := structuraldefaulting.PruneDefaults(structural); err != nil {
			return fmt.Errorf("prune defaults of %s: %w", version.Name, err)
		}
		openAPI, _, err := apiservervalidation.NewSchemaValidator(internal.OpenAPIV3Schema)
		if err != nil {
			return fmt.Errorf("schema validator of %s: %w", version.Name, err)
		}
		gvk := schema.GroupVersionKind{Group: def.Spec.Group, Version: version.Name, Kind: def.Spec.Names.Kind}
		v.kinds[gvk] = &kindSchema{
			gk:         gvk.GroupKind(),
			namespaced: def.Spec.Scope == apiextensionsv1.NamespaceScoped,
			structural: structural,
			openAPI:    openAPI,
			// Compiled once here, as the API server does per CRD.
			cel: cel.NewValidator(structural, true, celconfig.PerCallLimit),
		}
	}
	return nil
}

// Kinds lists the kinds the validator admits ("Domain", ...), sorted.
func (v *Validator) Kinds() []string {
	out := make([]string, 0, len(v.kinds))
	for gvk := range v.kinds {
		out = append(out, gvk.Kind)
	}
	sort.Strings(out)
	return out
}

// Namespaced says whether kind (of group ameide.io) is namespace-scoped; ok
// is false for a kind no embedded CRD declares.
func (v *Validator) Namespaced(gvk schema.GroupVersionKind) (namespaced, ok bool) {
	k, ok := v.kinds[gvk]
	if !ok {
		return false, false
	}
	return k.namespaced, true
}

// InvalidError is a refusal: one field.Error per problem, each naming its
// field path ("spec.database.cluster: Invalid value: ..."). Error() reads
// as the API server's answer to the same create.
type InvalidError struct {
	GroupKind schema.GroupKind
	Name      string
	Errs      field.ErrorList
}

func (e *InvalidError) Error() string { return e.Status().Error() }

// Status is the refusal as the API server would send it (422 Invalid).
func (e *InvalidError) Status() *apierrors.StatusError {
	return apierrors.NewInvalid(e.GroupKind, e.Name, e.Errs)
}

// Admit checks obj as a create and returns the typed, defaulted object
// (*v1alpha1.Domain, ...). obj itself is not modified. A refusal is an
// *InvalidError; a kind no CRD declares is refused with a plain error.
func (v *Validator) Admit(obj *unstructured.Unstructured) (client.Object, error) {
	u, err := decoded(obj)
	if err != nil {
		return nil, err
	}
	return v.admit(context.Background(), u, nil)
}

// decoded is obj as the API server holds a request body: encoded to JSON
// and decoded by the unstructured JSON scheme (integers as int64, which CEL
// rules comparing integers need; a float64 from a YAML library would make
// them fail to evaluate). It is also the copy admit works on.
func decoded(obj *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	raw, err := obj.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	out := &unstructured.Unstructured{}
	if err := out.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("decode %s %q: %w", obj.GetKind(), obj.GetName(), err)
	}
	return out, nil
}

// AdmitUpdate checks obj as an update of old (transition rules that
// compare against oldSelf, such as immutable fields, apply). As on a live
// server, obj must carry metadata.resourceVersion. Ratcheting of
// unchanged invalid values, which the API server applies to updates, is
// not modelled: every value of obj must be valid.
func (v *Validator) AdmitUpdate(obj, old *unstructured.Unstructured) (client.Object, error) {
	u, err := decoded(obj)
	if err != nil {
		return nil, err
	}
	o, err := decoded(old)
	if err != nil {
		return nil, err
	}
	return v.admit(context.Background(), u, o)
}

func (v *Validator) admit(ctx context.Context, u, old *unstructured.Unstructured) (client.Object, error) {
	gvk := u.GroupVersionKind()
	k, ok := v.kinds[gvk]
	if !ok {
		return nil, fmt.Errorf("%s is not an Ameide primitive kind (known: %s in %s)",
			describeGVK(gvk), strings.Join(v.Kinds(), ", "), v1alpha1.GroupVersion)
	}
	name := u.GetName()
	if errs := v.coerce(k, u); len(errs) > 0 {
		return nil, &InvalidError{GroupKind: k.gk, Name: name, Errs: errs}
	}
	structuraldefaulting.Default(u.Object, k.structural)
	// PrepareForCreate: a create never sets status (it is its own
	// subresource), and the generation starts at 1.
	delete(u.Object, "status")
	u.SetGeneration(1)
	var oldObj map[string]interface{}
	if old != nil {
		if errs := v.coerce(k, old); len(errs) > 0 {
			return nil, &InvalidError{GroupKind: k.gk, Name: old.GetName(), Errs: errs}
		}
		structuraldefaulting.Default(old.Object, k.structural)
		delete(old.Object, "status")
		oldObj = old.Object
	}
	if errs := k.validate(ctx, u, oldObj); len(errs) > 0 {
		return nil, &InvalidError{GroupKind: k.gk, Name: name, Errs: errs}
	}
	typed, err := v.scheme.New(gvk)
	if err != nil {
		return nil, fmt.Errorf("no Go type for %s: %w", describeGVK(gvk), err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, typed); err != nil {
		return nil, fmt.Errorf("convert %s %q to its Go type: %w", gvk.Kind, name, err)
	}
	out, ok := typed.(client.Object)
	if !ok {
		return nil, fmt.Errorf("%T is not a client.Object", typed)
	}
	return out, nil
}

// coerce is the API server's decoding step (unstructuredSchemaCoercer):
// ObjectMeta read back from its typed form, unknown fields pruned, nulls
// without defaults dropped. With strict field validation (kubectl's
// default) a pruned field is a refusal, which is what is returned here.
func (v *Validator) coerce(k *kindSchema, u *unstructured.Unstructured) field.ErrorList {
	meta, found, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u.Object, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
	}
	unknown := append([]string{}, metaUnknown...)
	apiVersion, kind := u.GetAPIVersion(), u.GetKind()
	unknown = append(unknown, structuralpruning.PruneWithOptions(u.Object, k.structural, true,
		structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true})...)
	structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u.Object, k.structural)
	ferr, paths := schemaobjectmeta.CoerceWithOptions(nil, u.Object, k.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if ferr != nil {
		return field.ErrorList{ferr}
	}
	unknown = append(unknown, paths...)
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	if found {
		if err := schemaobjectmeta.SetObjectMeta(u.Object, meta); err != nil {
			return field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
		}
	}
	var errs field.ErrorList
	for _, p := range unknown {
		errs = append(errs, field.Invalid(field.NewPath(p), nil, `unknown field: the CRD schema does not declare it (strict field validation)`))
	}
	return errs
}

// validate is customResourceStrategy.Validate (create) or ValidateUpdate
// of the API server, in the same order and with the same short cut: CEL
// rules are not evaluated while a schema error that blocks them stands.
func (k *kindSchema) validate(ctx context.Context, u *unstructured.Unstructured, old map[string]interface{}) field.ErrorList {
	var errs field.ErrorList
	if errs = append(errs, k.validateMeta(ctx, u, old)...); len(errs) > 0 {
		return errs
	}
	if old == nil {
		errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u.Object, k.openAPI)...)
	} else {
		errs = append(errs, apiservervalidation.ValidateCustomResourceUpdate(nil, u.Object, old, k.openAPI)...)
	}
	errs = append(errs, schemaobjectmeta.Validate(ctx, nil, u.Object, k.structural, false)...)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, k.structural, u.Object)...)
	if blocked, err := blockingErr(errs); blocked {
		return append(errs, err)
	}
	var oldObj interface{}
	if old != nil {
		oldObj = old
	}
	celErrs, _ := k.cel.Validate(ctx, nil, k.structural, u.Object, oldObj, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

func (k *kindSchema) validateMeta(ctx context.Context, u *unstructured.Unstructured, old map[string]interface{}) field.ErrorList {
	meta, _, err := schemaobjectmeta.GetObjectMeta(u.Object, false)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
	}
	if meta.Name == "" && meta.GenerateName != "" {
		return field.ErrorList{field.Required(field.NewPath("metadata", "name"), "a rendered CR needs a name (generateName is resolved only by a live API server)")}
	}
	beta := utilfeature.DefaultFeatureGate.Enabled(features.DeclarativeValidationBeta)
	if old == nil {
		return metavalidation.ValidateObjectMetaDeclaratively(ctx, operation.Create, meta, nil, k.namespaced, metavalidation.NameIsDNSSubdomain, field.NewPath("metadata"), beta)
	}
	oldMeta, _, err := schemaobjectmeta.GetObjectMeta(old, false)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), nil, err.Error())}
	}
	return metavalidation.ValidateObjectMetaDeclaratively(ctx, operation.Update, meta, oldMeta, k.namespaced, metavalidation.NameIsDNSSubdomain, field.NewPath("metadata"), beta)
}

// blockingErr is the API server's hasBlockingErr: after an error of these
// types the CEL rules would see values of the wrong shape or size, so they
// are not evaluated and a note says so.
func blockingErr(errs field.ErrorList) (bool, *field.Error) {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true, field.Invalid(nil, nil, "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation")
		}
	}
	return false, nil
}

func describeGVK(gvk schema.GroupVersionKind) string {
	if gvk.Kind == "" {
		return "a document without kind"
	}
	return fmt.Sprintf("kind %q of apiVersion %q", gvk.Kind, gvk.GroupVersion().String())
}
