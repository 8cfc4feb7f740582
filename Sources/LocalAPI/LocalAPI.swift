// The local API's types, server protocol and client are generated at build time from
// docs/api.yaml (this folder's openapi.yaml is a link to it) by swift-openapi-generator.
