package controller

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"ameide.io/operators/internal/render"
)

type childKey struct {
	gvk       schema.GroupVersionKind
	namespace string
	name      string
}

// prune deletes the children this CR controls that the current rendering
// no longer contains (an HPA after autoscaling was removed, the CronJob of a
// dropped schedule, the migration Job of an earlier version). Only the kinds
// this reconciler owns are listed, and only objects whose controller owner
// reference is this CR (by UID) are deleted.
func (r *Reconciler) prune(ctx context.Context, owner client.Object, children []*unstructured.Unstructured) error {
	keep := map[childKey]bool{}
	for _, c := range children {
		keep[childKey{c.GroupVersionKind(), c.GetNamespace(), c.GetName()}] = true
	}
	selector := client.MatchingLabels{render.LabelManagedBy: render.ManagedBy, render.LabelName: owner.GetName()}
	var errs []error
	for _, gvk := range r.Kind.childKinds(r.Render.Capabilities) {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		opts := []client.ListOption{selector}
		if r.Kind.Namespaced {
			opts = append(opts, client.InNamespace(owner.GetNamespace()))
		}
		if err := r.listChildren(ctx, gvk, list, opts...); err != nil {
			errs = append(errs, fmt.Errorf("list %s children for pruning: %w", gvk.Kind, err))
			continue
		}
		for i := range list.Items {
			item := &list.Items[i]
			ref := metav1.GetControllerOf(item)
			if ref == nil || ref.UID != owner.GetUID() {
				continue
			}
			if keep[childKey{gvk, item.GetNamespace(), item.GetName()}] {
				continue
			}
			obj := &unstructured.Unstructured{}
			obj.SetGroupVersionKind(gvk)
			obj.SetNamespace(item.GetNamespace())
			obj.SetName(item.GetName())
			err := r.Client.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground),
				client.Preconditions{UID: &item.UID})
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
				errs = append(errs, fmt.Errorf("prune %s %s/%s: %w", gvk.Kind, item.GetNamespace(), item.GetName(), err))
			}
		}
	}
	return errors.Join(errs...)
}

// listChildren lists from the cache through the typed informer of a
// built-in kind (the one Owns() started), or the unstructured one of an
// optional CRD kind, and keeps only object metadata.
func (r *Reconciler) listChildren(ctx context.Context, gvk schema.GroupVersionKind, out *metav1.PartialObjectMetadataList, opts ...client.ListOption) error {
	listGVK := gvk.GroupVersion().WithKind(gvk.Kind + "List")
	var list client.ObjectList
	if typed, err := r.Scheme.New(listGVK); err == nil {
		list = typed.(client.ObjectList)
	} else {
		u := &unstructured.UnstructuredList{}
		u.SetGroupVersionKind(listGVK)
		list = u
	}
	if err := r.Client.List(ctx, list, opts...); err != nil {
		return err
	}
	return metaItems(list, out)
}

func metaItems(list client.ObjectList, out *metav1.PartialObjectMetadataList) error {
	items, err := apimeta.ExtractList(list)
	if err != nil {
		return err
	}
	for _, item := range items {
		o, err := apimeta.Accessor(item)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
			Name: o.GetName(), Namespace: o.GetNamespace(), UID: o.GetUID(), OwnerReferences: o.GetOwnerReferences(),
		}})
	}
	return nil
}
