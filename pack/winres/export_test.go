package winres

// ChecksumForTest exposes the PE checksum to the tests.
var ChecksumForTest = checksum
