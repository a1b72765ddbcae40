package oci

// Settings are a project's choices for its image: kiln's
// Config.Package.Image.
type Settings struct {
	// Entrypoint is the binary the image runs, in BinDir; "": Options.Name.
	Entrypoint string
	// Cmd are the arguments after the entrypoint.
	Cmd []string
	// Env are KEY=VALUE strings set in the image.
	Env []string
	// ExposedPorts such as "8080" or "53/udp".
	ExposedPorts []string
	// Labels are added to the org.opencontainers.image.* labels.
	Labels map[string]string
	// CACerts is the CA bundle copied into the image; "": DefaultCACerts.
	CACerts string
}

// Apply returns o with the settings s: its labels, CA bundle, command,
// environment and ports, and as entrypoint the binary s.Entrypoint in
// BinDir (o's default when empty).
func (s Settings) Apply(o Options) Options {
	o.Labels, o.CACerts, o.Cmd, o.Env, o.ExposedPorts = s.Labels, s.CACerts, s.Cmd, s.Env, s.ExposedPorts
	if s.Entrypoint != "" {
		o.Entrypoint = []string{BinDir + "/" + s.Entrypoint}
	}
	return o
}
