"""The ladder drawing (#25): its arrowhead sits on its line, pointing along it."""
import re

from core.testing import sign_in

WDC = "westdunbartonshire"


def test_the_arrowhead_points_along_its_line_with_its_tip_at_the_end(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    page = client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)
    marker = re.search(r"<marker [^>]*>.*?</marker>", page, re.S).group(0)
    attrs = dict(re.findall(r'(\w+)="([^"]*)"', marker.split(">")[0]))
    points = [tuple(map(float, p)) for p in re.findall(r"(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)", marker)]
    # orient="auto" turns the marker's x axis onto the line: the tip is the point furthest along x,
    # and the marker's reference point is that tip, so the head ends where the line ends, on it.
    assert attrs["orient"] == "auto"
    tip = max(points, key=lambda p: p[0])
    assert (float(attrs["refX"]), float(attrs["refY"])) == tip
    others = [p for p in points if p != tip]
    assert sum(p[1] for p in others) / len(others) == tip[1], "the head is symmetric about the line"
