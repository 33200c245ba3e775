module example.com/plugins/hello/v2

go 1.21

require example.com/dep v1.1.0
