"""Thai (and English) names of the linkage's stages and review reasons, for every report."""

from __future__ import annotations

STAGES = {
    "national_id": "เลขประจำตัวประชาชนตรงกัน (same national ID)",
    "id_repair": "แก้เลขประจำตัวที่พิมพ์ผิด (ID typo repaired)",
    "probabilistic": "จับคู่ด้วยความน่าจะเป็น (probabilistic match)",
    "review": "ผู้ตรวจสอบยืนยัน (confirmed by a reviewer)",
    "alone": "ไม่พบคู่ (no match found)",
}
REVIEW_REASONS = {
    "uncertain": "ไม่แน่ใจ (uncertain match)",
    "competing_persons": "เข้าได้กับหลายคน (fits more than one person)",
    "id_conflict": "เลขเดียวกันแต่ข้อมูลต่างกัน (same ID, different details)",
    "different_ids": "ข้อมูลตรงกันแต่เลขต่างกัน (same details, different IDs)",
    "duplicate_registration": "อาจลงทะเบียนซ้ำด้วยเลขสองเลข (maybe one person under two IDs)",
}
DUPLICATE_DECISIONS = {
    "merged": "รวมเป็นคนเดียว รอกรมการปกครองแก้ทะเบียน (one person: for DOPA to resolve)",
    "review": "รอผู้ตรวจสอบ (for a reviewer)",
}
