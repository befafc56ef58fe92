import time
from imapclient import IMAPClient
def test_probe(dovecot):
    for pw in ["wrong", "wrong2", "secret"]:
        t=time.monotonic()
        with IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=5) as imap:
            t1=time.monotonic()
            try: imap.login("foi@batumi.ge", pw)
            except Exception as e: print(e)
            print(pw, round(t1-t,3), round(time.monotonic()-t1,3))
    with dovecot.client("foi@batumi.ge") as w:
        w.select_folder("INBOX"); w.idle()
        t=time.monotonic(); dovecot.append("foi@batumi.ge", b"Subject: x\r\n\r\nx\r\n"); t1=time.monotonic()
        print(w.idle_check(timeout=3), round(t1-t,3), round(time.monotonic()-t1,3))
        w.idle_done()
    print(open(dovecot.log_path).read()[-3000:])
