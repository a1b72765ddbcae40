module example.com/pflag

go 1.24

require github.com/spf13/pflag v1.1.0
