package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// maxPrepared bounds the statement cache; reads come from a fixed set of query shapes,
// so it is never reached in practice.
const maxPrepared = 256

// preparedReads is the querier of reads outside a transaction: each distinct query is
// prepared once and reused, since preparing is a large part of a point read's cost.
type preparedReads struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func (p *preparedReads) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	p.mu.Lock()
	s, ok := p.stmts[query]
	p.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := p.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.stmts[query]; ok {
		s.Close() // another goroutine prepared it first
		return prev, nil
	}
	if len(p.stmts) < maxPrepared {
		p.stmts[query] = s
	}
	return s, nil
}

// QueryContext implements querier.
func (p *preparedReads) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

// QueryRowContext implements querier. A query that cannot be prepared runs unprepared,
// so that its error reaches the caller through the row.
func (p *preparedReads) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return p.db.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// ExecContext implements querier; writes are not prepared.
func (p *preparedReads) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, query, args...)
}

// close releases the prepared statements.
func (p *preparedReads) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.stmts {
		s.Close()
	}
	p.stmts = map[string]*sql.Stmt{}
}
