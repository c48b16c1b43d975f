{
  "format": "podpora-script-signature/1",
  "key_id": "3401c763d821a72b",
  "digest": "46465c1c423916bc7375bdbcf879c69a3cb23b46589e070448864d5a0d957f42",
  "signature": "vHZVqasIOMCHvewb+cx1phz85TVck3NR2+pTu+1lxrEj/Psrv1bgq598nlYlKSnK9u7ZRDOBmY57uaiGgHjyBA=="
}
