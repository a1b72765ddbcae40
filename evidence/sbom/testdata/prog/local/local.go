// Package local is replaced by a directory in prog's go.mod.
package local

// Greeting is printed by prog.
const Greeting = "hello"
