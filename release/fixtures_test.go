package release

import "github.com/kiln-build/kiln/internal/releasetest"

// The fixtures release's tests share with the tests of the packages that
// run its stages (shards, reproduce): see internal/releasetest.

const toolMain = releasetest.ToolMain

var (
	testModule     = releasetest.Module
	git            = releasetest.Git
	gitRepo        = releasetest.GitRepo
	newTestKey     = releasetest.NewKey
	writeManifest  = releasetest.WriteManifest
	findPath       = releasetest.FindPath
	snapshot       = releasetest.Snapshot
	assertSame     = releasetest.AssertSame
	ghModule       = releasetest.GHModule
	outputs        = releasetest.Outputs
	testWinePrefix = releasetest.WinePrefix
)

type (
	testKey      = releasetest.Key
	lockedBuffer = releasetest.LockedBuffer
)
