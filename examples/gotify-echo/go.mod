module github.com/example/gotify-echo

go 1.21

require github.com/gotify/plugin-api v1.0.0
