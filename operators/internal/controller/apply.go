package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
)

// AnnotationRenderedHash is set on every child: the SHA-256 of the child as
// rendered (before owner references). It tells "our intent changed" (hash
// differs: apply, no drift) apart from "someone changed the live object"
// (hash equal, owned fields differ: apply reverts it, Drifted).
const AnnotationRenderedHash = "ameide.io/rendered-hash"

// applyResult is what applying one child did.
type applyResult struct {
	// Live is the child as the API server holds it after the apply (or as
	// read, when nothing needed applying), with status.
	Live *unstructured.Unstructured
	// Reverted: the child carried our current rendering's hash but its owned
	// fields differed, i.e. someone edited them; the apply put them back.
	Reverted bool
	// Created: the child did not exist.
	Created bool
}

// desiredChild returns the object to apply: the rendered child with the
// controller owner reference and the rendered-hash annotation.
func (r *Reconciler) desiredChild(owner client.Object, child *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	raw, err := json.Marshal(child.Object)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", child.GetKind(), child.GetName(), err)
	}
	sum := sha256.Sum256(raw)
	desired := &unstructured.Unstructured{}
	// A JSON round trip gives the number types (int64 where integral,
	// float64 otherwise) that objects read from the API server have, so the
	// comparison below is by value, not by Go type.
	if err := utiljson.Unmarshal(raw, &desired.Object); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", child.GetKind(), child.GetName(), err)
	}
	ann := desired.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[AnnotationRenderedHash] = hex.EncodeToString(sum[:16])
	desired.SetAnnotations(ann)
	if err := controllerutil.SetControllerReference(owner, desired, r.Scheme); err != nil {
		return nil, fmt.Errorf("owner reference on %s %s: %w", child.GetKind(), child.GetName(), err)
	}
	return desired, nil
}

// readLive reads a child from the informer cache (typed objects for the
// built-in kinds, so the watches of Owns() share one informer per kind);
// when the cache does not have it and confirm is set, it asks the API server,
// because a cache that has not caught up must not look like a deleted child.
func (r *Reconciler) readLive(ctx context.Context, desired *unstructured.Unstructured, confirm bool) (*unstructured.Unstructured, error) {
	gvk := desired.GroupVersionKind()
	key := client.ObjectKeyFromObject(desired)
	get := func(reader client.Reader) (*unstructured.Unstructured, error) {
		var obj client.Object
		if typed, err := r.Scheme.New(gvk); err == nil {
			obj = typed.(client.Object)
		} else {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			obj = u
		}
		if err := reader.Get(ctx, key, obj); err != nil {
			return nil, err
		}
		if u, ok := obj.(*unstructured.Unstructured); ok {
			return u, nil
		}
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{Object: m}
		u.SetGroupVersionKind(gvk)
		return u, nil
	}
	live, err := get(r.Client)
	if apierrors.IsNotFound(err) && confirm {
		live, err = get(r.APIReader)
	}
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s %s: %w", gvk.Kind, key, err)
	}
	return live, nil
}

// apply server-side applies desired with the reconciler's field manager and
// forced ownership, unless the live object already carries this rendering
// and every field we set has our value (then there is nothing to write).
func (r *Reconciler) apply(ctx context.Context, desired *unstructured.Unstructured, confirmMissing bool) (applyResult, error) {
	live, err := r.readLive(ctx, desired, confirmMissing)
	if err != nil {
		return applyResult{}, err
	}
	res := applyResult{Created: live == nil}
	if live != nil {
		sameIntent := live.GetAnnotations()[AnnotationRenderedHash] == desired.GetAnnotations()[AnnotationRenderedHash]
		if sameIntent && subsetEqual(desired.Object, live.Object) {
			res.Live = live
			return res, nil
		}
	}
	out := desired.DeepCopy()
	if err := r.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(out),
		client.FieldOwner(r.FieldManager), client.ForceOwnership); err != nil {
		return applyResult{}, fmt.Errorf("apply %s %s/%s: %w", desired.GetKind(), desired.GetNamespace(), desired.GetName(), err)
	}
	// Same rendering, fields differed, and the API server had to write: an
	// edit was reverted. When it wrote nothing, the difference was only the
	// server's spelling of a value (a quantity "0.5" stored as "500m").
	res.Reverted = live != nil &&
		live.GetAnnotations()[AnnotationRenderedHash] == desired.GetAnnotations()[AnnotationRenderedHash] &&
		out.GetResourceVersion() != live.GetResourceVersion()
	res.Live = out
	return res, nil
}

// subsetEqual reports whether every field set in want has the same value in
// have: the fields the reconciler applies (and so owns). Fields others set
// (defaults, other controllers) are not compared. Maps compare key by key,
// lists element by element with the same length; an empty map or list in
// want also matches an absent one (the API server drops empty values).
func subsetEqual(want, have any) bool {
	switch w := want.(type) {
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return len(w) == 0 && have == nil
		}
		for k, wv := range w {
			if wv == nil {
				continue
			}
			hv, present := h[k]
			if !present {
				if isEmpty(wv) {
					continue
				}
				return false
			}
			if !subsetEqual(wv, hv) {
				return false
			}
		}
		return true
	case []any:
		h, ok := have.([]any)
		if !ok {
			return len(w) == 0 && have == nil
		}
		if len(w) != len(h) {
			return false
		}
		for i := range w {
			if !subsetEqual(w[i], h[i]) {
				return false
			}
		}
		return true
	default:
		return reflect.DeepEqual(want, have)
	}
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	case string:
		return false
	default:
		return false
	}
}
