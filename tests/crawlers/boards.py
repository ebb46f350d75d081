"""Generated board payloads for crawl tests and the benchmark (shapes as in the fixtures)."""

import json


def greenhouse_board(
    ids: list[int], *, token: str = "examplelab", org: str = "Example Lab"
) -> bytes:
    """A Greenhouse board listing with one job per id (no deadlines, so nothing expires)."""
    jobs = [
        {
            "id": job_id,
            "internal_job_id": job_id + 1,
            "title": f"Research Engineer {job_id}",
            "updated_at": "2026-10-01T09:00:00-04:00",
            "first_published": "2026-09-01T09:00:00-04:00",
            "requisition_id": f"R{job_id}",
            "location": {"name": "London, UK | Remote"},
            "absolute_url": f"https://job-boards.greenhouse.io/{token}/jobs/{job_id}",
            "company_name": org,
            "metadata": None,
            "content": (
                "&lt;p&gt;Work on evaluations and interpretability for posting "
                f"{job_id}. The salary is $150,000 - $190,000 per year.&lt;/p&gt;"
                "&lt;ul&gt;&lt;li&gt;Python&lt;/li&gt;&lt;li&gt;PyTorch&lt;/li&gt;&lt;/ul&gt;"
            ),
            "departments": [{"id": 1, "name": "Research", "parent_id": None, "child_ids": []}],
            "offices": [],
        }
        for job_id in ids
    ]
    return json.dumps({"jobs": jobs, "meta": {"total": len(jobs)}}).encode()


def lever_postings(count: int, *, site: str = "examplebench") -> list[dict[str, object]]:
    """Lever postings with distinct ids (for paging tests)."""
    return [
        {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "text": f"Evaluations Researcher {n}",
            "categories": {"commitment": "Full-time", "location": "London", "team": "Evals"},
            "createdAt": 1767914803825 + n,
            "description": f"<p>Posting number {n}.</p>",
            "lists": [],
            "additional": "",
            "hostedUrl": f"https://jobs.lever.co/{site}/00000000-0000-4000-8000-{n:012d}",
            "applyUrl": f"https://jobs.lever.co/{site}/00000000-0000-4000-8000-{n:012d}/apply",
            "workplaceType": "onsite",
        }
        for n in range(count)
    ]
