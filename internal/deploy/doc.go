// Package deploy has no code of its own: its tests check the container
// delivery files at the repository root (Dockerfile, .dockerignore,
// docker-compose.replication.yml, deploy/db-init/, .env.example) against each
// other, go.mod and the config package. This machine has no Docker engine to
// run them, so these checks are what stops a broken file reaching a user.
package deploy
