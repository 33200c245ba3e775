// gotify-echo is a minimal real gotify plugin, used by the self-test workflow
// against the real gotify/server releases.
package main

import "github.com/gotify/plugin-api"

// GetGotifyPluginInfo returns gotify plugin info.
func GetGotifyPluginInfo() plugin.Info {
	return plugin.Info{ModulePath: "github.com/example/gotify-echo", Name: "echo", Version: "0.1.0"}
}

// Plugin is the plugin instance of one user.
type Plugin struct{}

// Enable enables the plugin.
func (p *Plugin) Enable() error { return nil }

// Disable disables the plugin.
func (p *Plugin) Disable() error { return nil }

// NewGotifyPluginInstance creates a plugin instance for a user context.
func NewGotifyPluginInstance(ctx plugin.UserContext) plugin.Plugin { return &Plugin{} }

func main() { panic("this should be built as a go plugin") }
