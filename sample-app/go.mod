module github.com/kiln-build/kiln/sample-app

go 1.26.0

require github.com/kiln-build/kiln v0.0.0

require (
	github.com/hashicorp/errwrap v1.0.0 // indirect
	github.com/hashicorp/go-multierror v1.1.1 // indirect
	github.com/magefile/mage v1.17.2 // indirect
	golang.org/x/mod v0.43.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
)

replace github.com/kiln-build/kiln => ../

tool github.com/magefile/mage
