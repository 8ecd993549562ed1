package main

import (
	"strings"

	"github.com/probity-dev/probity/internal/notify"
	"github.com/probity-dev/probity/internal/notify/smtp"
	"github.com/probity-dev/probity/internal/notify/sns"
	"github.com/probity-dev/probity/internal/notify/webhook"
	"github.com/probity-dev/probity/internal/pipeline"
	"github.com/probity-dev/probity/internal/source/dir"
	"github.com/probity-dev/probity/internal/source/git"
	"github.com/probity-dev/probity/internal/source/s3"
)

// The built-in adapters, the one list of them. A new kind is added here; the registries
// refuse two kinds for one scheme when the program starts.

// catalogKinds returns the kinds of catalog source, in the order help texts and errors
// list them.
func catalogKinds() []pipeline.SourceKind {
	return []pipeline.SourceKind{
		s3.Kind(),
		git.Kind(),
		dir.Kind(),
	}
}

// notifyKinds returns the kinds of notification target, in the order help texts and
// errors list them.
func notifyKinds() []notify.Kind {
	return []notify.Kind{
		sns.Kind(),
		smtp.Kind(),
		webhook.Kind(),
	}
}

// sourceUsage returns the forms of catalog source, for the help of --catalog.
func sourceUsage() string {
	var u []string
	for _, k := range catalogKinds() {
		u = append(u, k.Usage)
	}
	return strings.Join(u, ", ")
}

// notifyUsage returns the forms of notification target, for the help of --notify.
func notifyUsage() string {
	var u []string
	for _, k := range notifyKinds() {
		u = append(u, k.Usage)
	}
	return strings.Join(u, ", ")
}
