module example.com/prog

go 1.22

require (
	example.com/local v0.0.0
	github.com/spf13/pflag v1.0.6
	golang.org/x/text v0.21.0
)

replace example.com/local => ./local

replace golang.org/x/text => golang.org/x/text v0.20.0
