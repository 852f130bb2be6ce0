package publishing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"

	"fazhibot/console"
)

// fakeStore records the calls it gets and makes each a new live version.
type fakeStore struct {
	calls []string // "publish by summary", "approve by id", "restore by id"
	err   error
	next  console.VersionID
}

func (f *fakeStore) live(call string) (console.Version, error) {
	f.calls = append(f.calls, call)
	if f.err != nil {
		return console.Version{}, f.err
	}
	f.next++
	return console.Version{ID: f.next, Status: console.StatusPublished, Live: true}, nil
}

func (f *fakeStore) Publish(_ context.Context, actor, summary string) (console.Version, error) {
	return f.live("publish " + actor + " " + summary)
}

func (f *fakeStore) Approve(_ context.Context, id console.VersionID, actor string) (console.Version, error) {
	return f.live("approve " + actor + " " + fmt.Sprint(id))
}

func (f *fakeStore) Restore(_ context.Context, id console.VersionID, actor string) (console.Version, error) {
	return f.live("restore " + actor + " " + fmt.Sprint(id))
}

// fakeAnnouncer records "channel message" per announcement.
type fakeAnnouncer struct {
	sent []string
	err  error
}

func (f *fakeAnnouncer) Publish(_ context.Context, channel, message string) error {
	f.sent = append(f.sent, channel+" "+message)
	return f.err
}

func TestService(t *testing.T) {
	admin := console.Actor{Name: "管理员", Role: console.RoleAdmin}
	staff := console.Actor{Name: "工作人员", Role: console.RoleStaff}
	publish := func(s *Service, a console.Actor) (Live, error) { return s.Publish(context.Background(), a, "说明") }
	approve := func(s *Service, a console.Actor) (Live, error) { return s.Approve(context.Background(), a, 3) }
	restore := func(s *Service, a console.Actor) (Live, error) { return s.Restore(context.Background(), a, 2) }
	storeErr := errors.New("store down")

	tests := []struct {
		name        string
		approval    bool
		act         func(*Service, console.Actor) (Live, error)
		actor       console.Actor
		storeErr    error
		reloadErr   error
		announceErr error
		wantErr     error
		wantCall    string // "" when the store must not be called
	}{
		{name: "staff publish without approval", act: publish, actor: staff, wantCall: "publish 工作人员 说明"},
		{name: "staff publish with approval", approval: true, act: publish, actor: staff, wantErr: console.ErrNotAllowed},
		{name: "admin publish with approval", approval: true, act: publish, actor: admin, wantCall: "publish 管理员 说明"},
		{name: "admin approve", approval: true, act: approve, actor: admin, wantCall: "approve 管理员 3"},
		{name: "staff approve", approval: true, act: approve, actor: staff, wantErr: console.ErrNotAllowed},
		{name: "admin restore", act: restore, actor: admin, wantCall: "restore 管理员 2"},
		{name: "staff restore", act: restore, actor: staff, wantErr: console.ErrNotAllowed},
		{name: "store error: nothing announced", act: publish, actor: admin, storeErr: storeErr, wantErr: storeErr, wantCall: "publish 管理员 说明"},
		{name: "reload fails: still announced", act: restore, actor: admin, reloadErr: errors.New("index"), wantCall: "restore 管理员 2"},
		{name: "announcement fails: still live", act: publish, actor: admin, announceErr: errors.New("redis down"), wantCall: "publish 管理员 说明"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeStore{err: tc.storeErr}
			ann := &fakeAnnouncer{err: tc.announceErr}
			var reloaded []console.VersionID
			s, err := New(Options{Store: store, RequireApproval: tc.approval, Announcer: ann,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Reload: func(_ context.Context, id console.VersionID) error {
					reloaded = append(reloaded, id)
					return tc.reloadErr
				}})
			if err != nil {
				t.Fatal(err)
			}
			l, err := tc.act(s, tc.actor)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var wantCalls []string
			if tc.wantCall != "" {
				wantCalls = []string{tc.wantCall}
			}
			if !slices.Equal(store.calls, wantCalls) {
				t.Errorf("store calls %q, want %q", store.calls, wantCalls)
			}
			if err != nil {
				if len(reloaded) != 0 || len(ann.sent) != 0 {
					t.Errorf("after an error: reloaded %v, announced %q", reloaded, ann.sent)
				}
				return
			}
			if l.Version.ID != 1 || !slices.Equal(reloaded, []console.VersionID{1}) {
				t.Errorf("live %+v, reloaded %v, want version 1 reloaded once", l.Version, reloaded)
			}
			if want := []string{Channel + " 1"}; !slices.Equal(ann.sent, want) {
				t.Errorf("announced %q, want %q", ann.sent, want)
			}
			if (l.ReloadErr != nil) != (tc.reloadErr != nil) || (l.AnnounceErr != nil) != (tc.announceErr != nil) {
				t.Errorf("ReloadErr %v, AnnounceErr %v; want errors %v and %v", l.ReloadErr, l.AnnounceErr, tc.reloadErr, tc.announceErr)
			}
		})
	}
}

func TestNewRequiresStore(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Fatal("New without Store succeeded")
	}
}

func TestCanPublish(t *testing.T) {
	for _, tc := range []struct {
		approval, admin, want bool
	}{{false, false, true}, {false, true, true}, {true, false, false}, {true, true, true}} {
		s, _ := New(Options{Store: &fakeStore{}, RequireApproval: tc.approval})
		a := console.Actor{Name: "x", Role: console.RoleStaff}
		if tc.admin {
			a.Role = console.RoleAdmin
		}
		if got := s.CanPublish(a); got != tc.want {
			t.Errorf("approval %v, admin %v: CanPublish = %v, want %v", tc.approval, tc.admin, got, tc.want)
		}
	}
}
