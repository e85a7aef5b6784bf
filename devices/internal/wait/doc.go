// Package wait holds the two waits the card watchers of every reader
// make: a pause between polls and the hand-over of an event, each of
// which gives up when the watcher's context ends.
package wait
