/// The live viewer served at `/`: pick a resource, see its document, and
/// watch each patch arrive (EventSource + a small RFC 6902 applier).
enum ViewerPage {
    static let html = #"""
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>Rocket live viewer</title>
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>
    body{font:14px/1.4 system-ui,sans-serif;margin:0;display:flex;height:100vh}
    nav{width:220px;border-right:1px solid #ddd;overflow:auto;padding:8px;background:#fafafa}
    nav a{display:block;padding:4px 6px;color:#234;text-decoration:none;border-radius:4px}
    nav a.on{background:#246;color:#fff}
    main{flex:1;display:flex;flex-direction:column;min-width:0}
    header{padding:8px 12px;border-bottom:1px solid #ddd;display:flex;gap:16px;align-items:center}
    #state{font-weight:600}#state.live{color:#080}#state.down{color:#b00}
    #grid{flex:1;overflow:auto;padding:0 12px}
    table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;white-space:nowrap;max-width:320px;overflow:hidden;text-overflow:ellipsis}
    th{position:sticky;top:0;background:#fff}
    tr.flash td{background:#ffe9a8;transition:background 1.5s}
    #log{height:160px;overflow:auto;border-top:1px solid #ddd;font:12px ui-monospace,monospace;padding:6px 12px;background:#111;color:#cfc;margin:0}
    </style></head><body>
    <nav id="nav"><b>Resources</b></nav>
    <main><header><span id="title">Pick a resource</span><span id="state"></span><span id="cursor"></span><span id="count"></span></header>
    <div id="grid"></div><pre id="log"></pre></main>
    <script>
    "use strict";
    const $ = id => document.getElementById(id);
    let source = null, doc = null, resource = null, flashed = new Set();
    function unescape(t){return t.replace(/~1/g,"/").replace(/~0/g,"~")}
    function parent(d, path){const p=path.split("/").slice(1).map(unescape);const last=p.pop();let o=d;for(const k of p){o=o[k];if(o===undefined)throw new Error("no path "+path)}return [o,last]}
    function applyPatch(d, ops){ // RFC 6902, on a copy: all or nothing
      let root = structuredClone(d);
      for (const op of ops){
        if (op.path === ""){ if(op.op==="replace"||op.op==="add"){root=op.value;continue} }
        const [o,k] = parent(root, op.path);
        if (op.op==="add"||op.op==="replace"){ if(Array.isArray(o)){const i=k==="-"?o.length:+k; op.op==="add"?o.splice(i,0,op.value):o[i]=op.value}else o[k]=op.value; flashed.add(op.path.split("/")[2]) }
        else if (op.op==="remove"){ if(Array.isArray(o))o.splice(+k,1);else delete o[k] }
        else throw new Error("op "+op.op+" not shown by the viewer");
      }
      return root;
    }
    function render(){
      const rows = doc && doc[resource] ? doc[resource] : {};
      const keys = Object.keys(rows); $("count").textContent = keys.length+" rows";
      const cols = []; for(const k of keys.slice(0,200)) for(const c of Object.keys(rows[k]||{})) if(!cols.includes(c)) cols.push(c);
      let h = "<table><tr><th>key</th>"+cols.map(c=>"<th>"+esc(c)+"</th>").join("")+"</tr>";
      for (const k of keys.slice(-500).reverse()){ const r=rows[k]||{}; h += "<tr"+(flashed.has(k)?' class="flash"':"")+"><td>"+esc(k)+"</td>"+cols.map(c=>"<td>"+esc(typeof r[c]==="object"&&r[c]!==null?JSON.stringify(r[c]):String(r[c]))+"</td>").join("")+"</tr>" }
      $("grid").innerHTML = h+"</table>"; flashed.clear();
    }
    function esc(s){return String(s).replace(/[&<>"]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]))}
    function log(line){const l=$("log");l.textContent=(line+"\n"+l.textContent).slice(0,20000)}
    function open(name){
      if (source) source.close(); resource=name; doc=null;
      document.querySelectorAll("nav a").forEach(a=>a.classList.toggle("on",a.dataset.name===name));
      $("title").textContent = "/"+name;
      source = new EventSource("/"+encodeURIComponent(name));
      source.onopen = () => { $("state").textContent="live"; $("state").className="live" };
      source.onerror = () => { $("state").textContent="reconnecting…"; $("state").className="down" };
      source.addEventListener("reset", e => { doc = {[name]: JSON.parse(e.data)[name]}; $("cursor").textContent="cursor "+e.lastEventId; log("reset "+e.lastEventId); render() });
      source.addEventListener("patch", e => { const ops=JSON.parse(e.data); try{doc=applyPatch(doc,ops)}catch(x){log("could not apply: "+x)}; $("cursor").textContent="cursor "+e.lastEventId; log(e.lastEventId+" "+e.data.slice(0,300)); render() });
    }
    fetch("/", {headers:{Accept:"application/json"}}).then(r=>r.json()).then(j=>{
      for (const r of j.resources){ const a=document.createElement("a"); a.href="#"+r.name; a.dataset.name=r.name; a.textContent=r.name; a.onclick=e=>{e.preventDefault();open(r.name)}; $("nav").appendChild(a) }
      const first = location.hash.slice(1) || (j.resources.find(r=>r.name==="messages")||j.resources[0]||{}).name; if (first) open(decodeURIComponent(first));
    });
    </script></body></html>
    """#
}
