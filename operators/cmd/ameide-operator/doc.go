// Command ameide-operator runs the Ameide primitive reconcilers.
package main
