//go:build extra

package main

func init() { extra = "with the extra tag" }
