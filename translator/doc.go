// Package translator compiles a validated definition into a Plan: the
// immutable graph of steps, edges, params and resolved policies that the
// interpreter workflow runs. It also renders plans as Mermaid and DOT.
package translator
