"""The fleet table as one static HTML page: no external assets, sortable, filterable.

The rows are written as plain HTML (readable without JavaScript); a small script sorts by
the clicked column (numbers and versions in natural order, empty cells last) and filters by
free text and by status. It works offline from a file:// URL.
"""

import html
from typing import List

from .. import __version__
from .collect import STATUSES, DeviceRow
from .render import COLUMNS, cells, summary

_STYLE = """
body{font:14px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.2em;color:#1b1f23}
h1{font-size:1.3em;margin:0 0 .4em}
.bar{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin:.6em 0}
.bar input{padding:.3em .5em;min-width:22em}
.counts span{margin-right:.8em}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #d8dee4;padding:.3em .5em;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}
th[aria-sort=descending]::after{content:" \\25BC"}
tr:hover td{background:#f6f8fa}
td.st{font-weight:600}
tr.ok td.st{color:#1a7f37} tr.warn td.st{color:#9a6700} tr.fail td.st{color:#cf222e}
tr.unknown td.st{color:#57606a}
td.failing,td.drift{font-family:ui-monospace,monospace;font-size:.9em}
.problems{color:#cf222e}
footer{margin-top:1em;color:#57606a;font-size:.85em}
"""

_SCRIPT = """
(function(){
  var table=document.getElementById('fleet'), body=table.tBodies[0];
  var rows=Array.prototype.slice.call(body.rows);
  var text=rows.map(function(r){return r.textContent.toLowerCase();});
  var filter=document.getElementById('filter'), status=document.getElementById('status');
  var shown=document.getElementById('shown');
  var collator=new Intl.Collator(undefined,{numeric:true,sensitivity:'base'});
  function apply(){
    var q=filter.value.trim().toLowerCase().split(/\\s+/).filter(Boolean), s=status.value, n=0;
    for(var i=0;i<rows.length;i++){
      var ok=(!s||rows[i].className===s);
      for(var j=0;ok&&j<q.length;j++){ok=text[i].indexOf(q[j])>=0;}
      rows[i].hidden=!ok; if(ok){n++;}
    }
    shown.textContent=n+' of '+rows.length+' devices shown';
  }
  function key(row,col){var c=row.cells[col];var v=c.getAttribute('data-v');return v===null?c.textContent:v;}
  function sortBy(th){
    var col=th.cellIndex, dir=th.getAttribute('aria-sort')==='ascending'?-1:1;
    var numeric=th.getAttribute('data-type')==='num';
    Array.prototype.forEach.call(th.parentNode.cells,function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',dir===1?'ascending':'descending');
    var order=rows.map(function(r,i){return i;});
    order.sort(function(a,b){
      var x=key(rows[a],col), y=key(rows[b],col);
      if(x===''||x==='-'){return (y===''||y==='-')?a-b:1;}
      if(y===''||y==='-'){return -1;}
      var d=numeric?(parseFloat(x)-parseFloat(y)):collator.compare(x,y);
      return d?d*dir:a-b;
    });
    var frag=document.createDocumentFragment(), r2=[], t2=[];
    order.forEach(function(i){frag.appendChild(rows[i]);r2.push(rows[i]);t2.push(text[i]);});
    body.appendChild(frag); rows=r2; text=t2;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th){
    th.addEventListener('click',function(){sortBy(th);});
  });
  filter.addEventListener('input',apply); status.addEventListener('change',apply);
  apply();
})();
"""

_STATUS_ORDER = {status: str(i) for i, status in enumerate(("fail", "warn", "unknown", "ok"))}


def render_html(rows, problems, skipped, title="trtsetup fleet report"):
    # type: (List[DeviceRow], List[str], int, str) -> str
    esc = html.escape
    counts = summary(rows)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>{}</title><style>{}</style></head><body>".format(esc(title), _STYLE),
           "<h1>{}</h1>".format(esc(title)),
           '<div class="counts">' + "".join(
               '<span class="{0}">{1} {0}</span>'.format(s, counts[s]) for s in STATUSES) +
           "<span>{} devices</span></div>".format(counts["devices"]),
           '<div class="bar"><input id="filter" type="search" placeholder="Filter: name, module, '
           'version, check id..." aria-label="Filter devices">',
           '<select id="status" aria-label="Status"><option value="">any status</option>' +
           "".join('<option value="{0}">{0}</option>'.format(s) for s in STATUSES) + "</select>",
           '<span id="shown">{0} of {0} devices shown</span></div>'.format(len(rows))]
    if problems:
        out.append('<ul class="problems">' + "".join("<li>{}</li>".format(esc(p)) for p in problems) + "</ul>")
    out.append('<table id="fleet"><thead><tr>')
    for header, _ in COLUMNS:
        kind = ' data-type="num"' if header == "selftest" else ""
        out.append('<th scope="col"{}>{}</th>'.format(kind, esc(header)))
    out.append("</tr></thead><tbody>")
    for row in rows:
        values = cells(row)
        out.append('<tr class="{}">'.format(esc(row.status)))
        for (header, _), value in zip(COLUMNS, values):
            attrs = ""
            if header == "status":
                attrs = ' class="st" data-v="{}"'.format(_STATUS_ORDER.get(row.status, "9"))
            elif header == "selftest":
                attrs = ' data-v="{}"'.format("" if row.speedup is None else row.speedup)
            elif header in ("failing", "drift"):
                attrs = ' class="{}"'.format(header)
            elif header == "install" and row.install_error:
                attrs = ' title="{}"'.format(esc(row.install_error))
            out.append("<td{}>{}</td>".format(attrs, esc(value)))
        out.append("</tr>")
    out.append("</tbody></table>")
    if skipped:
        out.append("<p>{} JSON file(s) were not trtsetup reports and were skipped.</p>".format(skipped))
    out.append("<footer>trtsetup {} &middot; click a column to sort; type to filter "
               "(all words must match)</footer>".format(esc(__version__)))
    out.append("<script>{}</script></body></html>".format(_SCRIPT))
    return "\n".join(out)
