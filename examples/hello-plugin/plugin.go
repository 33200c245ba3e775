// hello is the smallest gotify-style plugin: the two symbols gotify looks up,
// and a dependency the server links too (example.com/dep, served by the test
// GOPROXY), so alignment has something to do.
package main

import "example.com/dep"

// GetGotifyPluginInfo tells the host who the plugin is.
func GetGotifyPluginInfo() string { return "hello, " + dep.Greeting("world") }

// NewGotifyPluginInstance makes one instance per user.
func NewGotifyPluginInstance() any { return struct{}{} }

func main() {}
