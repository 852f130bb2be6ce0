package handlers

import (
	"net/url"
	"strconv"
)

// listPageSize is how many rows the report and FAQ lists show a page.
const listPageSize = 30

// pager is the position of one page in a paged list, as the "pager"
// template shows it: "第 Page / Pages 页（共 Total 条）" with links to the
// neighbours, "" when there is none.
type pager struct {
	Page, Pages, Total int
	Prev, Next         string
}

// paginate returns the bounds [lo, hi) of page (1-based, as the query
// parameter said; out-of-range pages show the nearest page) of total rows,
// size a page, and the pager whose links are base with query plus page.
func paginate(total, size int, pageParam, base string, query url.Values) (lo, hi int, p pager) {
	pages := max(1, (total+size-1)/size)
	page, _ := strconv.Atoi(pageParam)
	page = min(max(page, 1), pages)
	link := func(n int) string {
		q := url.Values{}
		for k, v := range query {
			if k != "page" && k != "ok" {
				q[k] = v
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return base
		}
		return base + "?" + q.Encode()
	}
	p = pager{Page: page, Pages: pages, Total: total}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	lo = min((page-1)*size, total)
	return lo, min(lo+size, total), p
}
