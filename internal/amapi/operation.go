// Package amapi serves the AWS Audit Manager API (restJson1, SigV4) over the store:
// routes for every operation of the service model, wire types, errors, authentication,
// roles, metrics and access logs. Operations Probity does not serve answer a
// NotImplementedException that names them.
package amapi

//go:generate go run ./gen -model ${BOTOCORE}/data/auditmanager/2017-07-25/service-2.json.gz -out operations.go

import (
	"slices"
	"strings"
)

// Operation is one operation of the service model.
type Operation struct {
	Name   string // for example GetControl
	Method string // HTTP method
	URI    string // the model's URI template, for example /controls/{controlId}
	Status int    // HTTP status of a success
}

// Pattern returns the net/http ServeMux pattern that routes the operation.
func (o Operation) Pattern() string {
	return o.Method + " " + strings.ReplaceAll(o.URI, "+}", "...}")
}

// Operations returns every operation of the service model, served or not, by name.
func Operations() []Operation { return slices.Clone(operations) }

// Served reports whether Probity implements the named operation.
func Served(name string) bool {
	_, ok := endpoints[name]
	return ok
}
